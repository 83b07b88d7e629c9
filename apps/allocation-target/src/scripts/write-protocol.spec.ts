import { DEFAULT_ALLOCATION_SETTINGS, proposeAllocation } from '@quantum/efficiency-core';
import { appendProposal, writeCall } from './write-protocol';

const NOW = 1_700_000_000;
const eff = (score: string, confidence = '0.9', ts = String(NOW - 5)) => ({ efficiency_score: score, confidence, ts });
const record = (target: Record<string, string>, efficiency: Record<string, string> | null): string | undefined => {
  const parts: string[] = [];
  return appendProposal(parts, 'SYM.1-x_y', proposeAllocation(target, efficiency, NOW, DEFAULT_ALLOCATION_SETTINGS)) ? parts.join('') : undefined;
};

describe('appendProposal: one record of the write script', () => {
  it('the 10 values in write.lua order, U+001F between them, U+001E after the last', () => {
    expect(record({ target_usd: '1000' }, eff('0.2'))).toBe(['SYM.1-x_y', '1000', '700', '0.7000', '0.2', '0.9', '0', 'ok', '1000.00', '700.00'].join('\x1f') + '\x1e');
  });

  it('an unparsed reading writes empty eff_score and eff_confidence; a stale one eff_stale 1', () => {
    expect(record({ target_usd: '100' }, eff('abc'))?.split('\x1f').slice(4, 8)).toEqual(['', '', '0', 'invalid_eff']);
    expect(record({ target_usd: '100' }, eff('0.3', '0.9', String(NOW - 601)))?.split('\x1f').slice(4, 8)).toEqual(['0.3', '0.9', '1', 'stale_eff']);
  });

  it('invalid_target appends nothing', () => {
    expect(record({ target_usd: 'x' }, eff('0.5'))).toBeUndefined();
    expect(record({}, eff('0.5'))).toBeUndefined();
  });

  it('the call: the stream as KEYS, the rest as ARGV', () => {
    const call = writeCall('packed', { streamName: 's', streamMaxLen: 10, ttlSec: 60, proposedKeyPrefix: 'p:', tsEpoch: '1' });
    expect(call).toEqual({ keys: ['s'], args: [10, 60, '1', 'shadow', 'p:', 'packed'] });
  });
});
