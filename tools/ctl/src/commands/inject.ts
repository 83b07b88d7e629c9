import type { Command } from '../command';
import { readFileSync } from 'node:fs';
import type Redis from 'ioredis';
import { executeAtomicGroups, redisCommand, type RedisCommand } from '@quantum/redis-streams';
import { numberOption, parseCommandArgs, UsageError, wantsHelp, withUsage } from '@quantum/cli-support/args';
import { palette } from '@quantum/cli-support/colour';
import { flattenFields, KEYS, PLAN_STREAM_MAXLEN } from '@quantum/cli-support/keys';
import { Progress } from '@quantum/cli-support/progress';
import { connectRedis, redisUrlFrom } from '@quantum/cli-support/redis';
import { describeRecord, parseJsonLines, toRecord, type InjectRecord, type RawInput } from './inject-records';

export const name = 'inject';
export const summary = 'write given efficiency scores, targets, plans or the kill switch into Redis (single values or a JSON-lines file)';
export const usage = `usage:
  ctl inject efficiency <SYMBOL> --score <0..1> --confidence <0..1> [--ts now|<epoch>] [--ttl 600]
  ctl inject target <SYMBOL> --usd <amount> [--confidence <0..1>] [--ts now|<epoch>] [--ttl 300]
  ctl inject plan --symbol <SYMBOL> --action <ACTION> --decision <DECISION> [--qty <q>] [--price <p>]
                  [--kill-score <0..1>] [--side BUY|SELL] [--plan-id <16 hex>] [--ts now|<epoch>]
  ctl inject kill on|off
  ctl inject --file <plans.jsonl | ->

Writes what upstream would (CONTRACT.md §1): hashes are replaced whole with their expiry in one
transaction (efficiency EX 600, targets EX 300 unless --ttl); plans are XADDed to
quantum:stream:apply.plan (MAXLEN ~ 10000); kill on sets quantum:kill to "1", off deletes it.
Numbers are written exactly as given (validated as plain decimals). --field k=v (repeatable)
adds or overrides a raw field without validation, e.g. to write malformed data on purpose.

A file has one JSON object per line with "kind": "efficiency" | "target" | "plan" | "kill" and
the same names as the options (symbol, score, confidence, ts, usd, action, decision, qty, price,
kill_score, side, plan_id, ttl, fields: {...}; kill: {"kind":"kill","value":"on"}). Every line
is checked before anything is written; a bad line stops the whole file (exit 2).
Writes are pipelined in batches; progress goes to stderr; each written record is printed
(plans with their plan_id and stream id).

options:
  --redis-url <url>   Redis to write to (default: REDIS_URL, else redis://127.0.0.1:6379)
  --batch <n>         records per pipeline (default 500)
  --quiet             print only the totals
  -h, --help          this help

Exit codes: 0 written, 1 Redis error, 2 bad usage or input.`;

const OPTIONS = {
  'redis-url': { type: 'string' },
  file: { type: 'string', short: 'f' },
  batch: { type: 'string' },
  quiet: { type: 'boolean' },
  score: { type: 'string' },
  confidence: { type: 'string' },
  ts: { type: 'string' },
  ttl: { type: 'string' },
  usd: { type: 'string' },
  symbol: { type: 'string' },
  action: { type: 'string' },
  decision: { type: 'string' },
  qty: { type: 'string' },
  price: { type: 'string' },
  'kill-score': { type: 'string' },
  side: { type: 'string' },
  'plan-id': { type: 'string' },
  mode: { type: 'string' },
  weight: { type: 'string' },
  field: { type: 'string', multiple: true },
} as const;

/** The Redis commands of one record (one atomic group). */
export function commandsFor(record: InjectRecord): RedisCommand[] {
  switch (record.kind) {
    case 'efficiency':
    case 'target': {
      const key = record.kind === 'efficiency' ? KEYS.efficiency(record.symbol) : KEYS.target(record.symbol);
      return [redisCommand('DEL', key), redisCommand('HSET', key, ...flattenFields(record.fields)), redisCommand('EXPIRE', key, record.ttlSec)];
    }
    case 'plan':
      return [redisCommand('XADD', KEYS.planStream, 'MAXLEN', '~', PLAN_STREAM_MAXLEN, '*', ...flattenFields(record.fields))];
    case 'kill':
      return [record.on ? redisCommand('SET', KEYS.kill, '1') : redisCommand('DEL', KEYS.kill)];
  }
}

/**
 * Writes the records in pipelined batches of atomic groups. Returns, per record, the stream id
 * (plans) or undefined; throws on the first failed record (earlier ones stay written).
 */
export async function writeRecords(
  redis: Redis,
  records: readonly InjectRecord[],
  options: { batch?: number; onBatch?: (written: InjectRecord[], ids: (string | undefined)[]) => void } = {},
): Promise<(string | undefined)[]> {
  const size = options.batch ?? 500;
  const ids: (string | undefined)[] = [];
  for (let start = 0; start < records.length; start += size) {
    const chunk = records.slice(start, start + size);
    const results = await executeAtomicGroups(redis, chunk.map(commandsFor));
    const chunkIds: (string | undefined)[] = [];
    results.forEach((result, index) => {
      if (!result.ok) throw new Error(`record ${start + index + 1} (${describeRecord(chunk[index])}): ${result.error.message}`);
      chunkIds.push(chunk[index].kind === 'plan' ? String(result.value[0]) : undefined);
    });
    ids.push(...chunkIds);
    options.onBatch?.(chunk, chunkIds);
  }
  return ids;
}

function fieldPairs(pairs: readonly string[] | undefined): Record<string, string> | undefined {
  if (!pairs || pairs.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--field takes name=value, got ${JSON.stringify(pair)}`);
    out[pair.slice(0, eq)] = pair.slice(eq + 1);
  }
  return out;
}

function recordsFromArgs(positionals: string[], values: Record<string, unknown>, nowMs: number): InjectRecord[] {
  const [kind, ...rest] = positionals;
  if (kind === undefined) throw new UsageError('say what to inject: efficiency, target, plan, kill, or --file');
  const input: RawInput = { ...values, fields: fieldPairs(values['field'] as string[] | undefined) };
  delete input['field'];
  if (values['kill-score'] !== undefined) input['kill_score'] = values['kill-score'];
  if (values['plan-id'] !== undefined) input['plan_id'] = values['plan-id'];
  if (kind === 'efficiency' || kind === 'target') {
    if (rest.length !== 1) throw new UsageError(`inject ${kind} takes one SYMBOL`);
    input['symbol'] = rest[0];
  } else if (kind === 'kill') {
    if (rest.length !== 1) throw new UsageError('inject kill takes on or off');
    input['value'] = rest[0];
  } else if (rest.length > 0) {
    throw new UsageError(`unexpected arguments: ${rest.join(' ')}`);
  }
  return [toRecord(kind, input, nowMs)];
}

export async function run(argv: readonly string[]): Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  return withUsage(usage, async () => {
    const { values, positionals } = parseCommandArgs(argv, OPTIONS, true);
    const batch = numberOption('batch', values.batch, 500, { min: 1, max: 100_000, integer: true });
    const nowMs = Date.now();
    let records: InjectRecord[];
    const fromFile = values.file !== undefined;
    if (fromFile) {
      if (positionals.length > 0) throw new UsageError('--file takes no other arguments');
      let content: string;
      try {
        content = readFileSync(values.file === '-' ? 0 : (values.file as string), 'utf8');
      } catch (error) {
        throw new UsageError(`cannot read ${values.file}: ${(error as Error).message}`);
      }
      const parsed = parseJsonLines(content, nowMs);
      if (parsed.errors.length > 0) throw new UsageError(`${values.file}: nothing written, ${parsed.errors.length} bad line(s):\n  ${parsed.errors.slice(0, 20).join('\n  ')}`);
      records = parsed.records;
    } else {
      records = recordsFromArgs(positionals, values as Record<string, unknown>, nowMs);
    }

    const c = palette();
    let redis: Redis;
    try {
      redis = await connectRedis(redisUrlFrom(values['redis-url']), { app: 'ctl-inject' });
    } catch (error) {
      process.stderr.write(`${c.red('error')}: ${(error as Error).message}\n`);
      return 1;
    }
    const progress = fromFile && records.length > batch ? new Progress('inject', records.length) : undefined;
    const counts: Record<InjectRecord['kind'], number> = { efficiency: 0, target: 0, plan: 0, kill: 0 };
    try {
      await writeRecords(redis, records, {
        batch,
        onBatch: (written, ids) => {
          written.forEach((record, i) => {
            counts[record.kind] += 1;
            if (!values.quiet) process.stdout.write(`${describeRecord(record, ids[i])}\n`);
          });
          progress?.add(written.length);
        },
      });
    } catch (error) {
      progress?.finish();
      process.stderr.write(`${c.red('error')}: ${(error as Error).message}\n`);
      return 1;
    } finally {
      redis.disconnect();
    }
    progress?.finish();
    if (fromFile || values.quiet) {
      process.stdout.write(`${c.green('wrote')} ${records.length} record(s): ${counts.efficiency} efficiency, ${counts.target} target, ${counts.plan} plan, ${counts.kill} kill\n`);
    }
    return 0;
  });
}

export const injectCommand: Command = { name, summary, usage, run };
