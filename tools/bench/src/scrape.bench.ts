/**
 * scrape benchmark: does scraping /metrics hold up the governor's decisions?
 *
 * The real governor (its bundle, built first, as a child process) against a throwaway Redis
 * (the shared one of `npm run bench`, else its own), limits off so every plan is permitted:
 *
 * 1. Series: for each of 20,000 symbols (efficiency hashes present) one permitted plan and one
 *    blocked by the kill score, so the governor holds three series per symbol
 *    (`p32_eff_factor`, `quantum_govern_allow_total`, `quantum_govern_block_total`), 60,000 in
 *    all; one scrape then reports the series count, the body size and how long it took alone.
 * 2. Two runs at a fixed offered load (default 1,000 plans/s for 20 s, plans cycling over the same
 *    symbols): first unscraped, then with scrapers (default 2) each fetching /metrics once a
 *    second, half a second apart. A plan's latency runs from its scheduled send time (so a
 *    producer that falls behind counts against the governor, not in its favour) to the arrival
 *    of its event on the audit stream (`quantum:stream:governor.events`), seen by an observer
 *    blocking on XREAD. Latencies go into a `perf_hooks` histogram (microseconds).
 *
 * Prints p50 / p99 / max of both runs, the ratio of their p99s (goal: scraped p99 within 2x of
 * unscraped) and the scrapes' durations and sizes.
 *
 *   npm run bench -- scrape
 *   npx tsx --conditions=@quantum/source tools/bench/src/scrape.bench.ts [--main path/to/main.js] [--seconds 20] [--rate 1000] [--symbols 20000] [--scrapers 2]
 */
import { request } from 'node:http';
import { resolve } from 'node:path';
import Redis from 'ioredis';
import { EFFICIENCY_KEY_PREFIX, GOVERNOR_GROUP, PLAN_STREAM } from '@quantum/config';
import { startThrowawayRedis, type ThrowawayRedis } from '@quantum/redis-streams/testing';
import { groupDone, offerFixedLoad } from './fixed-load';
import { planFields, sleep, startGovernor } from './governor.bench';
import { serviceBundle } from './service-bundle';
import type { Bench, BenchContext, BenchResult, BenchRow } from './registry';

export interface ScrapeBenchOptions {
  /** Symbols with per-symbol series (default 20,000). */
  readonly symbols?: number;
  /** Offered plans/s of both runs (default 1,000). */
  readonly rate?: number;
  /** Seconds per run (default 20). */
  readonly seconds?: number;
  /** Scrapers of the scraped run (default 2), each once per `scrapeIntervalMs`. */
  readonly scrapers?: number;
  /** Default 1,000. */
  readonly scrapeIntervalMs?: number;
  /** The governor bundle to run (e.g. another build's, for a before/after comparison). Default: this tree's, built first. */
  readonly main?: string;
  readonly redis?: ThrowawayRedis;
}

export interface RunNumbers {
  readonly label: string;
  readonly plans: number;
  readonly achievedPerSec: number;
  /** Plans whose event was seen in time (the latency samples). */
  readonly measured: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly maxMs: number;
  /** Scrapes completed during the run, their durations and the last body size. */
  readonly scrapes: number;
  readonly scrapeP50Ms?: number;
  readonly scrapeMaxMs?: number;
  readonly scrapeBytes?: number;
}

export interface ScrapeBenchNumbers {
  readonly symbols: number;
  /** Series of the per-symbol families after the setup. */
  readonly symbolSeries: number;
  readonly bodyBytes: number;
  /** The first scrape after the setup, alone. */
  readonly firstScrapeMs: number;
  readonly unscraped: RunNumbers;
  readonly scraped: RunNumbers;
  /** scraped p99 / unscraped p99 (goal <= 2). */
  readonly p99Ratio: number;
}

const symbolName = (i: number) => `SC${i}USDT`;

/** The plan with a kill score above GOV_KILL_SCORE_CRITICAL: blocked (`kill_score_critical_non_close`). */
function critical(fields: string[]): string[] {
  const out = [...fields];
  out[out.indexOf('kill_score') + 1] = '0.9';
  return out;
}

/** GET /metrics: how long it took, its size, and with `keep` its text. */
function scrapeText(metricsUrl: string, keep: boolean): Promise<{ ms: number; bytes: number; body?: string }> {
  const started = performance.now();
  return new Promise((resolve, reject) => {
    const req = request(`${metricsUrl}/metrics`, (res) => {
      let bytes = 0;
      const parts: Buffer[] = [];
      res.on('data', (chunk: Buffer) => {
        bytes += chunk.length;
        if (keep) parts.push(chunk);
      });
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`/metrics answered ${res.statusCode}`));
        else resolve({ ms: performance.now() - started, bytes, ...(keep ? { body: Buffer.concat(parts).toString('utf8') } : {}) });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

async function waitDone(redis: Redis, timeoutMs: number): Promise<void> {
  const until = performance.now() + timeoutMs;
  while (!(await groupDone(redis))) {
    if (performance.now() > until) throw new Error('the governor did not catch up');
    await sleep(50);
  }
}

/** Offers `rate` plans/s for `seconds` (fixed-load.ts), with `scrapers` scraping meanwhile. */
async function run(redis: Redis, metricsUrl: string, o: { label: string; rate: number; seconds: number; symbols: number; scrapers: number; scrapeIntervalMs: number; prefix: string }): Promise<RunNumbers> {
  const scrapeTimes: number[] = [];
  let scrapeBytes: number | undefined;
  let scraping = o.scrapers > 0;
  const scrapers = Array.from({ length: o.scrapers }, async (_, k) => {
    await sleep((k * o.scrapeIntervalMs) / o.scrapers);
    while (scraping) {
      const due = performance.now() + o.scrapeIntervalMs;
      const r = await scrapeText(metricsUrl, false);
      scrapeTimes.push(r.ms);
      scrapeBytes = r.bytes;
      await sleep(Math.max(0, due - performance.now()));
    }
  });
  const load = await offerFixedLoad(redis, { rate: o.rate, seconds: o.seconds, prefix: o.prefix, drainMs: 10_000, plan: (id, i) => planFields(id, symbolName(i % o.symbols)) });
  scraping = false;
  await Promise.all(scrapers);
  await waitDone(redis, 60_000);
  scrapeTimes.sort((a, b) => a - b);
  return {
    label: o.label, plans: load.plans, achievedPerSec: load.achievedPerSec, measured: load.measured,
    p50Ms: load.p50Ms, p99Ms: load.p99Ms, maxMs: load.maxMs,
    scrapes: scrapeTimes.length,
    ...(scrapeTimes.length > 0 ? { scrapeP50Ms: scrapeTimes[Math.floor(scrapeTimes.length / 2)], scrapeMaxMs: scrapeTimes[scrapeTimes.length - 1], scrapeBytes } : {}),
  };
}

export async function runScrapeBench(options: ScrapeBenchOptions = {}): Promise<ScrapeBenchNumbers> {
  const main = options.main ?? serviceBundle('governor');
  const symbols = options.symbols ?? 20_000;
  const rate = options.rate ?? 1000;
  const seconds = options.seconds ?? 20;
  const scrapers = options.scrapers ?? 2;
  const scrapeIntervalMs = options.scrapeIntervalMs ?? 1000;
  const server = options.redis ?? (await startThrowawayRedis());
  const redis = new Redis(server.url);
  try {
    await redis.flushall();
    const now = Math.floor(Date.now() / 1000);
    for (let i = 0; i < symbols; i += 5000) {
      const pipe = redis.pipeline();
      for (let j = i; j < Math.min(symbols, i + 5000); j++) {
        pipe.hset(`${EFFICIENCY_KEY_PREFIX}${symbolName(j)}`, { efficiency_score: String((j % 100) / 100), confidence: '0.9', ts: String(now) });
      }
      await pipe.exec();
    }
    await redis.xgroup('CREATE', PLAN_STREAM, GOVERNOR_GROUP, '$', 'MKSTREAM');
    const gov = await startGovernor(main, server.url, 100);
    try {
      // per symbol a permitted plan and one blocked by gate 3: a series in each per-symbol family
      for (let i = 0; i < symbols; i += 5000) {
        const pipe = redis.pipeline();
        for (let j = i; j < Math.min(symbols, i + 5000); j++) {
          pipe.xadd(PLAN_STREAM, '*', ...planFields(`s${j.toString(16)}`, symbolName(j)));
          pipe.xadd(PLAN_STREAM, '*', ...critical(planFields(`b${j.toString(16)}`, symbolName(j))));
        }
        await pipe.exec();
      }
      await waitDone(redis, 120_000);
      const first = await scrapeText(gov.metricsUrl, true);
      const symbolSeries = (first.body ?? '').split('\n').filter((l) => /^(p32_eff_factor|quantum_govern_allow_total|quantum_govern_block_total)\{/.test(l)).length;
      const common = { rate, seconds, symbols, scrapeIntervalMs };
      const unscraped = await run(redis, gov.metricsUrl, { ...common, label: 'unscraped', scrapers: 0, prefix: 'u' });
      const scraped = await run(redis, gov.metricsUrl, { ...common, label: `${scrapers} scrapers, every ${scrapeIntervalMs} ms`, scrapers, prefix: 'k' });
      return { symbols, symbolSeries, bodyBytes: first.bytes, firstScrapeMs: first.ms, unscraped, scraped, p99Ratio: scraped.p99Ms / unscraped.p99Ms };
    } finally {
      await gov.stop();
    }
  } finally {
    await redis.flushall().catch(() => undefined);
    redis.disconnect();
    if (!options.redis) await server.stop();
  }
}

const f = (x: number | undefined, d = 2) => (x === undefined || Number.isNaN(x) ? '-' : x.toFixed(d));

export function formatScrapeTable(n: ScrapeBenchNumbers): string {
  const head = ['run', 'plans/s', 'measured', 'p50 ms', 'p99 ms', 'max ms', 'scrapes', 'scrape p50 ms', 'scrape max ms'];
  const rows = [n.unscraped, n.scraped].map((r) => [
    r.label, Math.round(r.achievedPerSec).toLocaleString('en-US'), `${r.measured}/${r.plans}`, f(r.p50Ms), f(r.p99Ms), f(r.maxMs), String(r.scrapes), f(r.scrapeP50Ms, 1), f(r.scrapeMaxMs, 1),
  ]);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  return [
    `scrape (real governor, throwaway Redis): ${n.symbols.toLocaleString('en-US')} symbols, ${n.symbolSeries.toLocaleString('en-US')} per-symbol series, ` +
      `/metrics ${(n.bodyBytes / 1e6).toFixed(1)} MB, first scrape alone ${n.firstScrapeMs.toFixed(0)} ms`,
    line(head),
    widths.map((w) => '-'.repeat(w)).join('  '),
    ...rows.map(line),
    `p99 scraped / unscraped: ${n.p99Ratio.toFixed(2)}x (goal <= 2x); latency from each plan's scheduled send time to its event`,
  ].join('\n');
}

export const scrapeBench: Bench = {
  name: 'scrape',
  summary: 'governor decision latency at 1000 plans/s with 20,000 symbols\' series, unscraped vs scraped every second by two scrapers',
  async run(context: BenchContext = {}): Promise<BenchResult> {
    const n = await runScrapeBench({ redis: context.redis });
    console.log(formatScrapeTable(n));
    const row = (r: RunNumbers): BenchRow => ({
      case: r.label, opsPerSec: r.achievedPerSec, ops: r.plans, seconds: r.plans / r.achievedPerSec,
      p50Ms: r.p50Ms, p99Ms: r.p99Ms, maxMs: r.maxMs, scrapes: r.scrapes,
      ...(r.scrapeP50Ms !== undefined ? { scrapeP50Ms: r.scrapeP50Ms, scrapeMaxMs: r.scrapeMaxMs ?? NaN, scrapeBytes: r.scrapeBytes ?? NaN } : {}),
    });
    return { name: 'scrape', rows: [row(n.unscraped), { ...row(n.scraped), p99Ratio: n.p99Ratio, symbolSeries: n.symbolSeries }] };
  },
};

function argValue(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  return i >= 0 ? argv[i + 1] : undefined;
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  const num = (name: string) => (argValue(argv, name) === undefined ? undefined : Number(argValue(argv, name)));
  const mainArg = argValue(argv, '--main');
  runScrapeBench({
    main: mainArg === undefined ? undefined : resolve(mainArg),
    seconds: num('--seconds'), rate: num('--rate'), symbols: num('--symbols'), scrapers: num('--scrapers'),
  }).then(
    (n) => console.log(formatScrapeTable(n)),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
