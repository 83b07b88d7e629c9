import type { Command } from '../command';
import { randomInt } from 'node:crypto';
import { numberOption, parseCommandArgs, UsageError, wantsHelp, withUsage } from '@quantum/cli-support/args';
import { onStopSignal } from '@quantum/cli-support/signals';
import { palette } from '@quantum/cli-support/colour';
import { connectRedis, redactUrl, redisUrlFrom } from '@quantum/cli-support/redis';
import { assertMarketKeyPattern, DEFAULT_MARKET_KEY_PATTERN } from '@quantum/simulator/market-key';
import { runSimulation, type SimStats } from '@quantum/simulator/run';
import { writeStatsFile } from '@quantum/simulator/stats-file';
import { formatProducers } from '@quantum/simulator/summary';

export const name = 'simulate';
export const summary = 'feed realistic upstream data (targets, efficiency scores, market prices, plans of both producers) into Redis and consume permits';
export const usage = `usage: ctl simulate [options]

Plays the upstream producers of the pipeline against Redis (UPSTREAM.md):
  allocator     quantum:allocation:target:{SYMBOL}   every tick, EX 300
  scorer        quantum:capital:efficiency:{SYMBOL}  every tick, EX 600 (from synthetic fills)
  market feed   quantum:market:{SYMBOL}:bybit        every tick, EX 120 (price volume bid ask ts;
                                                     --market-key-pattern)
  apply layer   quantum:stream:apply.plan            harvest plans (closes, stop updates; mostly
                                                     SKIP/HOLD; no qty, side or price)
  intent bridge quantum:stream:apply.plan            opens and some reduce-only closes (EXECUTE,
                                                     qty, no price); about 12 % of the plans
Together --plans-per-sec, stream MAXLEN ~10000. For every EXECUTE plan of either producer it
then writes the other gates' permits quantum:permit:{p33,p26}:{plan_id} (EX 60) and, like the
apply layer, polls every 100 ms for up to 1.2 s until those and quantum:permit:{plan_id} exist,
consuming the three in one script; without them in time the plan counts as timed out
(permit_timeout_or_missing), or as blocked when the governor wrote a block record.

options:
  --redis-url <url>       Redis to write to (default: REDIS_URL, else redis://127.0.0.1:6379)
  --symbols <n>           universe size (default 50)
  --plans-per-sec <r>     plans per second, both producers together (default 5; 0 = none)
  --seed <n>              PRNG seed: the same seed and ticks give the same values (default: random, printed)
  --duration <sec>        stop after this many seconds (default: until Ctrl-C)
  --tick <sec>            seconds between allocator/scorer/market rounds (default 5)
  --summary-every <sec>   seconds between summary lines (default 10)
  --market-key-pattern <p>
                          market feed hash per symbol (default ${DEFAULT_MARKET_KEY_PATTERN});
                          a governor pointed at it (GOV_PRICE_KEY_PATTERN) needs --tick well
                          under its GOV_PRICE_MAX_AGE_SEC
  --stats-file <path>     also write the stats as JSON to this file at every summary
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
      'market-key-pattern': { type: 'string' },
      'stats-file': { type: 'string' },
    });
    const symbols = numberOption('symbols', values.symbols, 50, { min: 1, max: 100_000, integer: true });
    const plansPerSec = numberOption('plans-per-sec', values['plans-per-sec'], 5, { min: 0, max: 100_000 });
    const seed = numberOption('seed', values.seed, randomInt(0, 2 ** 31), { min: 0, max: 2 ** 32 - 1, integer: true });
    const durationSec = values.duration === undefined ? undefined : numberOption('duration', values.duration, 0, { min: 0, minExclusive: true });
    const tickSec = numberOption('tick', values.tick, 5, { min: 0.05 });
    const summaryEverySec = numberOption('summary-every', values['summary-every'], 10, { min: 0.1 });
    const marketKeyPattern = values['market-key-pattern'] ?? DEFAULT_MARKET_KEY_PATTERN;
    try {
      assertMarketKeyPattern(marketKeyPattern);
    } catch (error) {
      throw new UsageError(`--market-key-pattern: ${(error as Error).message}`);
    }
    const statsFile = values['stats-file'];
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
      `simulating ${symbols} symbols, ${plansPerSec} plans/s, tick ${tickSec}s, market feed ${marketKeyPattern} into ${redactUrl(url)} (seed ${seed})` +
        `${durationSec === undefined ? ', Ctrl-C to stop' : `, for ${durationSec}s`}\n`,
    );
    const abort = new AbortController();
    const signals = onStopSignal(() => abort.abort());
    try {
      const stats = await runSimulation({
        redis, seed, symbols, plansPerSec, tickSec, durationSec, summaryEverySec, marketKeyPattern, signal: abort.signal,
        onSummary: (line, current) => {
          process.stdout.write(`${c.dim('[simulate]')} ${line}\n`);
          if (statsFile !== undefined) writeStats(statsFile, current);
        },
      });
      process.stdout.write(`done: ${stats.plans} plans | ${formatProducers(stats)}\n`);
      return 0;
    } finally {
      signals.dispose();
      redis.disconnect();
    }
  });
}

/** A stats file that cannot be written is reported, but the simulation goes on. */
function writeStats(path: string, stats: SimStats): void {
  try {
    writeStatsFile(path, stats);
  } catch (error) {
    process.stderr.write(`simulate: cannot write the stats file ${path}: ${(error as Error).message}\n`);
  }
}

export const simulateCommand: Command = { name, summary, usage, run };
