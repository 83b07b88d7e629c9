import Redis from 'ioredis';
import { startThrowawayRedis, type ThrowawayRedis } from '@quantum/redis-streams/testing';
import { readBatch } from '../src/batch-io';
import { decodeRead, READ_SCRIPT, type SymbolInputs } from '../src/scripts/read-protocol';
import { EFF_PREFIX, TARGET_PREFIX } from './seed';

/**
 * The read script's reply (one string, or the flat form when a value holds a separator)
 * decodes to exactly what the previous script (one key argument each, flat array; kept here as
 * the reference) gave, for awkward values: absent fields, empty strings, separators, the absent
 * marker itself, non-UTF-8 bytes, wrong key types, hashes with other fields only.
 */
const REFERENCE_SCRIPT = `
local n = #KEYS / 2
local out = {}
local notes = {}
for i = 1, n do
  local r = redis.pcall('HGET', KEYS[i], 'target_usd')
  if type(r) == 'table' and r.err then
    out[i] = false
    notes[#notes + 1] = i
    notes[#notes + 1] = r.err
  else
    out[i] = r
  end
end
local o = n
for i = n + 1, 2 * n do
  local k = KEYS[i]
  local r = redis.pcall('HMGET', k, 'efficiency_score', 'confidence', 'ts')
  if type(r) == 'table' and r.err then
    notes[#notes + 1] = i
    notes[#notes + 1] = r.err
    r = { false, false, false }
  elseif r[1] == false and r[2] == false and r[3] == false and redis.call('EXISTS', k) == 1 then
    notes[#notes + 1] = i
    notes[#notes + 1] = 'other_fields'
  end
  out[o + 1] = r[1]
  out[o + 2] = r[2]
  out[o + 3] = r[3]
  o = o + 3
end
out[o + 1] = #notes
for j = 1, #notes do out[o + 1 + j] = notes[j] end
return out
`;

type Value = Record<string, string | Buffer> | { string: string } | null;
const plain: [string, Value, Value][] = [
  ['A', { target_usd: '1000', mode: 'live' }, { efficiency_score: '0.2', confidence: '0.9', ts: '1700000000', window: '3600' }],
  ['NOEFF', { target_usd: '5' }, null],
  ['NOTARGET', null, { efficiency_score: '0.2', confidence: '0.9', ts: '1' }],
  ['NOFIELD', { mode: 'live' }, { window: '3600' }],
  ['PARTIAL1', { target_usd: '1' }, { efficiency_score: '0.5', ts: '1' }],
  ['PARTIAL2', { target_usd: '1' }, { confidence: '0.5' }],
  ['EMPTY', { target_usd: '' }, { efficiency_score: '', confidence: '', ts: '' }],
  ['TTYPE', { string: '1000' }, { string: 'x' }],
  ['UTF8', { target_usd: 'ünïcode €' }, { efficiency_score: '0.5', confidence: 'ß', ts: '1' }],
  ['BADUTF8', { target_usd: Buffer.from([0x31, 0xc3, 0x28, 0xff]) }, { efficiency_score: Buffer.from([0xe2, 0x82]), confidence: '0.9', ts: '1' }],
  ['SPACE', { target_usd: ' 12 ' }, { efficiency_score: '0.5 ', confidence: '0.9', ts: '1' }],
  ['HAS1E', { target_usd: '7\x1e' }, { efficiency_score: '0.5\x1e', confidence: '\x1e0.9', ts: '\x1e\x1e' }],
];
// each of these forces the flat form for the batch it is in
const awkward: [string, Value, Value][] = [
  ['SEP1F', { target_usd: '1\x1f2' }, { efficiency_score: '0.5', confidence: '0.9', ts: '1' }],
  ['NILMARK', { target_usd: '\x1e' }, { efficiency_score: '\x1e', confidence: '\x1e', ts: '\x1e' }],
  ['NILMARK2', { target_usd: '7' }, { efficiency_score: '0.5', confidence: '\x1e', ts: '1' }],
];

async function put(client: Redis, key: string, value: Value): Promise<void> {
  if (value === null) return;
  if ('string' in value && typeof value['string'] === 'string' && Object.keys(value).length === 1) await client.set(key, value['string']);
  else await client.hset(key, value as Record<string, string | Buffer>);
}

describe('read script (real Redis): same inputs as the reference script', () => {
  let redis: ThrowawayRedis;
  let client: Redis;

  beforeAll(async () => {
    redis = await startThrowawayRedis();
    client = new Redis(redis.url);
    await client.flushall();
    for (const [symbol, target, eff] of [...plain, ...awkward]) {
      await put(client, TARGET_PREFIX + symbol, target);
      await put(client, EFF_PREFIX + symbol, eff);
    }
  });

  afterAll(async () => {
    client?.disconnect();
    await redis?.stop();
  });

  async function reference(symbols: string[]): Promise<SymbolInputs[]> {
    const keys = [...symbols.map((s) => TARGET_PREFIX + s), ...symbols.map((s) => EFF_PREFIX + s)];
    return decodeRead((await client.call('EVAL', REFERENCE_SCRIPT, keys.length, ...keys)) as unknown[], symbols.length);
  }

  it('fast form: every plain case, in several orders', async () => {
    const symbols = plain.map(([s]) => s);
    for (const order of [symbols, [...symbols].reverse(), [symbols[3] as string]]) {
      const reply = (await client.call('EVAL', READ_SCRIPT.source, 0, TARGET_PREFIX, EFF_PREFIX, order.join(' '))) as unknown[];
      expect(typeof reply[0]).toBe('string');
      expect(await readBatch(client, order, TARGET_PREFIX, EFF_PREFIX)).toEqual(await reference(order));
    }
  });

  it('flat form when a value holds U+001F or is the absent marker; same result', async () => {
    for (const [symbol] of awkward) {
      const order = [...plain.map(([s]) => s).slice(0, 5), symbol, ...plain.map(([s]) => s).slice(5)];
      const reply = (await client.call('EVAL', READ_SCRIPT.source, 0, TARGET_PREFIX, EFF_PREFIX, order.join(' '))) as unknown[];
      expect(reply[0]).toBeNull();
      expect(await readBatch(client, order, TARGET_PREFIX, EFF_PREFIX)).toEqual(await reference(order));
    }
    const all = [...plain, ...awkward].map(([s]) => s);
    expect(await readBatch(client, all, TARGET_PREFIX, EFF_PREFIX)).toEqual(await reference(all));
  });

  it('spot checks of the decoded values', async () => {
    const [a, noEff, noTarget, noField, , , empty, ttype, , badUtf8] = await readBatch(client, plain.map(([s]) => s), TARGET_PREFIX, EFF_PREFIX);
    expect(a).toEqual({ target: { target_usd: '1000' }, targetError: undefined, efficiency: { efficiency_score: '0.2', confidence: '0.9', ts: '1700000000' } });
    expect(noEff?.efficiency).toBeNull();
    expect(noTarget?.target).toEqual({});
    expect(noField?.efficiency).toEqual({ efficiency_score: '', confidence: '', ts: '' }); // not empty: invalid_eff
    expect(empty).toEqual({ target: { target_usd: '' }, targetError: undefined, efficiency: { efficiency_score: '', confidence: '', ts: '' } });
    expect(ttype?.target).toBeNull();
    expect(ttype?.targetError).toMatch(/^WRONGTYPE/);
    expect(badUtf8?.target).toEqual({ target_usd: Buffer.from([0x31, 0xc3, 0x28, 0xff]).toString('utf8') });
  });
});
