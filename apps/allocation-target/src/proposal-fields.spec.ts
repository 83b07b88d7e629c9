import { DEFAULT_ALLOCATION_SETTINGS, proposeAllocation } from '@quantum/efficiency-core';
import { encodeProposal, formatProposal, type FormattedProposal } from './proposal-fields';

const NOW = 1_700_000_000;
const eff = (score: string, confidence = '0.9', ts = String(NOW - 5)) => ({ efficiency_score: score, confidence, ts });

describe('encodeProposal', () => {
  it('is formatProposal packed for the write script', () => {
    const cases: [Record<string, string> | null, Record<string, string> | null][] = [
      [{ target_usd: '1000' }, eff('0.2')],
      [{ target_usd: '0.125' }, null],
      [{ target_usd: '1e15' }, eff('1e-05')],
      [{ target_usd: '100' }, eff('0.3', '0.9', String(NOW - 601))],
      [{ target_usd: '100' }, eff('0.3', '0.6499')],
      [{ target_usd: '100' }, eff('abc')],
      [{ target_usd: '1000' }, eff('0.123456789012345678')],
      [{ target_usd: 'x' }, eff('0.5')],
      [{}, eff('0.5')],
    ];
    for (const [target, efficiency] of cases) {
      const proposal = proposeAllocation(target, efficiency, NOW, DEFAULT_ALLOCATION_SETTINGS);
      const f = formatProposal('SYM.1-x_y', proposal);
      const expected = f === undefined ? undefined : packed(f);
      expect([target, efficiency, encodeProposal('SYM.1-x_y', proposal)]).toEqual([target, efficiency, expected]);
    }
  });
});

function packed(f: FormattedProposal): string {
  const values = [f.symbol, f.baseStream, f.proposedStream, f.multiplier, f.effScore, f.effConfidence, f.effStale, f.reason, f.baseHash, f.proposedHash];
  return values.join('\x1f') + '\x1e';
}
