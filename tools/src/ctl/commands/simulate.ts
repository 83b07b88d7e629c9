import type { Command } from '../command';
import { randomInt } from 'node:crypto';
import { numberOption, parseCommandArgs, wantsHelp, withUsage } from '../support/args';
import { onStopSignal } from '../support/signals';
import { palette } from '../support/colour';
import { connectRedis, redactUrl, redisUrlFrom } from '../support/redis';
import { runSimulation } from '../../simulate/run';

export const name = 'simulate';
export const summary = 'feed realistic upstream data (targets, efficiency scores, apply plans) into Redis and consume permits';
export const usage = `usage: ctl simulate [options]

Plays the upstream producers of the pipeline against Redis (UPSTREAM.md):
  allocator   quantum:allocation:target:{SYMBOL}   every tick, EX 300
  scorer      quantum:capital:efficiency:{SYMBOL}  every tick, EX 600 (from synthetic fills)
  apply layer quantum:stream:apply.plan            --plans-per-sec, MAXLEN ~10000, then
              consumes quantum:permit:{plan_id} of each EXECUTE plan (poll 100 ms, up to 1.2 s)

options:
  --redis-url <url>       Redis to write to (default: REDIS_URL, else redis://127.0.0.1:6379)
  --symbols <n>           universe size (default 50)
  --plans-per-sec <r>     apply plans per second (default 5; 0 = none)
  --seed <n>              PRNG seed: the same seed and ticks give the same values (default: random, printed)
  --duration <sec>        stop after this many seconds (default: until Ctrl-C)
  --tick <sec>            seconds between allocator/scorer rounds (default 5)
  --summary-every <sec>   seconds between summary lines (default 10)
  -h, --help              this help

Exit codes: 0 done, 1 Redis unreachable at start, 2 bad usage.`;

export async function run(argv: readonly string[]): Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  return withUsage(usage, async () => {
    const { values } = parseCommandArgs(argv, {
      'redis-url': { type: 'string' },
      symbols: { type: 'string' },
      'plans-per-sec': { type: 'string' },
      seed: { type: 'string' },
      duration: { type: 'string' },
      tick: { type: 'string' },
      'summary-every': { type: 'string' },
    });
    const symbols = numberOption('symbols', values.symbols, 50, { min: 1, max: 100_000, integer: true });
    const plansPerSec = numberOption('plans-per-sec', values['plans-per-sec'], 5, { min: 0, max: 100_000 });
    const seed = numberOption('seed', values.seed, randomInt(0, 2 ** 31), { min: 0, max: 2 ** 32 - 1, integer: true });
    const durationSec = values.duration === undefined ? undefined : numberOption('duration', values.duration, 0, { min: 0, minExclusive: true });
    const tickSec = numberOption('tick', values.tick, 5, { min: 0.05 });
    const summaryEverySec = numberOption('summary-every', values['summary-every'], 10, { min: 0.1 });
    const url = redisUrlFrom(values['redis-url']);
    const c = palette();

    let redis;
    try {
      redis = await connectRedis(url, { app: 'ctl-simulate' });
    } catch (error) {
      process.stderr.write(`${c.red('error')}: ${(error as Error).message}\n`);
      return 1;
    }
    process.stdout.write(
      `simulating ${symbols} symbols, ${plansPerSec} plans/s, tick ${tickSec}s into ${redactUrl(url)} (seed ${seed})` +
        `${durationSec === undefined ? ', Ctrl-C to stop' : `, for ${durationSec}s`}\n`,
    );
    const abort = new AbortController();
    const signals = onStopSignal(() => abort.abort());
    try {
      const stats = await runSimulation({
        redis, seed, symbols, plansPerSec, tickSec, durationSec, summaryEverySec, signal: abort.signal,
        onSummary: (line) => process.stdout.write(`${c.dim('[simulate]')} ${line}\n`),
      });
      process.stdout.write(`done: ${stats.plans} plans, ${stats.permitsGranted} permits granted, ${stats.permitsTimedOut} timed out\n`);
      return 0;
    } finally {
      signals.dispose();
      redis.disconnect();
    }
  });
}

export const simulateCommand: Command = { name, summary, usage, run };
