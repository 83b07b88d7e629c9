import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import Redis from 'ioredis';
import { startThrowawayRedis, type ThrowawayRedis } from '@quantum/redis-streams/testing';
import { BENCHES } from './benches';
import { Bench, BenchContext, BenchResult } from './registry';
import { summaryTable, writeResults } from './report';

const RESULTS_DIR = join(__dirname, '..', 'results');

function usage(): string {
  return [
    'usage: npm run bench -- [name ...]   (no name: run all)',
    '',
    'benchmarks:',
    ...BENCHES.map((b) => `  ${b.name.padEnd(12)} ${b.summary}`),
  ].join('\n');
}

/**
 * Runs the named benchmarks (all when none is named) on one shared throwaway Redis, flushed
 * between benchmarks, and returns their results.
 */
export async function runBenches(names: readonly string[], context: BenchContext = {}): Promise<BenchResult[] | undefined> {
  const selected: Bench[] = [];
  for (const name of names) {
    const bench = BENCHES.find((b) => b.name === name);
    if (!bench) {
      console.error(`unknown benchmark: ${name}\n\n${usage()}`);
      return undefined;
    }
    selected.push(bench);
  }
  const results: BenchResult[] = [];
  for (const bench of selected.length > 0 ? selected : BENCHES) {
    if (context.redis) await flush(context.redis);
    results.push(await bench.run(context));
    console.log('');
  }
  return results;
}

async function flush(redis: ThrowawayRedis): Promise<void> {
  const client = new Redis(redis.url);
  try {
    await client.flushall();
  } finally {
    client.disconnect();
  }
}

function redisServerVersion(): string | undefined {
  const probe = spawnSync('redis-server', ['--version'], { encoding: 'utf8' });
  return /v=([\d.]+)/.exec(probe.stdout ?? '')?.[1];
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage());
    return 0;
  }
  const redis = await startThrowawayRedis();
  try {
    const results = await runBenches(argv, { redis });
    if (results === undefined) return 2;
    if (results.length > 1) {
      console.log(summaryTable(results));
      console.log(`\nresults written to ${writeResults(results, RESULTS_DIR, redisServerVersion())}`);
    }
    return 0;
  } finally {
    await redis.stop();
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
