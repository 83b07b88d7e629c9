import type Redis from 'ioredis';
import type { Command } from '../command';
import { numberOption, parseCommandArgs, wantsHelp, withUsage } from '@quantum/cli-support/args';
import { palette } from '@quantum/cli-support/colour';
import { KEYS } from '@quantum/cli-support/keys';
import { connectRedis, redactUrl, redisUrlFrom } from '@quantum/cli-support/redis';
import { renderTable } from '@quantum/cli-support/table';
import {
  configCheck, consumerGroupCheck, countTargets, growthCheck, loopAgeCheck, metricsCheck, probeService, readyzCheck,
  redisPingCheck, sampleStream, ttlCheck, type CheckResult, type StreamSample,
} from './verify-checks';

export const name = 'verify';
export const summary = 'check a deployment: Redis, readiness, metrics, consumer group, streams moving, key TTLs, config';
export const usage = `usage: ctl verify [options]

Deployment verification. Checks, each reported as pass / warn / fail with the measured value:
  redis ping                     Redis reachable, round-trip latency
  <service> /readyz              200 from each service
  <service> metric families      every expected family on /metrics (CONTRACT.md, docs/metrics.md)
  allocation-target last loop    p29_shadow_last_success_timestamp_seconds recent (--max-loop-age)
  governor group                 group "governor" on quantum:stream:apply.plan, lag and pending under limits
  proposal stream / governor events  last entry id moves within --window (warn when there is no input)
  proposal key TTLs              0 < ttl <= 600 for quantum:allocation:target:proposed:*
  permit TTLs                    0 < ttl <= 60 for quantum:permit:*
  <service> config               readable from /readyz or an info metric; "not exposed" is a warning

options:
  --redis-url <url>        (default: REDIS_URL, else redis://127.0.0.1:6379)
  --allocation-url <url>   allocation-target metrics server (default http://127.0.0.1:8065)
  --governor-url <url>     governor metrics server (default http://127.0.0.1:8044)
  --window <sec>           how long to watch the streams (default 12, more than one loop)
  --max-lag <n>            consumer lag limit (default 1000)
  --max-pending <n>        pending entries limit (default 100)
  --max-loop-age <sec>     allocation loop freshness limit (default 120)
  --timeout <ms>           per HTTP request (default 3000)
  --sample <n>             keys checked per TTL pattern (default 1000)
  --json                   one JSON document: {"ok": bool, "summary": {...}, "checks": [...]}
  -h, --help               this help

Exit codes: 0 no failure (warnings allowed), 1 at least one failure, 2 bad usage.`;

export interface VerifyOptions {
  redisUrl: string;
  allocationUrl: string;
  governorUrl: string;
  windowSec: number;
  maxLag: number;
  maxPending: number;
  maxLoopAgeSec: number;
  timeoutMs: number;
  sample: number;
  onWait?: (secondsLeft: number) => void;
}

async function guarded(name: string, body: () => Promise<CheckResult>): Promise<CheckResult> {
  try {
    return await body();
  } catch (error) {
    return { name, status: 'fail', value: 'error', detail: (error as Error).message };
  }
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Runs every check; the order of the result is the order of the table. */
export async function runChecks(options: VerifyOptions): Promise<CheckResult[]> {
  const started = Date.now();
  let redis: Redis | undefined;
  let redisResult: CheckResult;
  try {
    redis = await connectRedis(options.redisUrl, { app: 'ctl-verify', connectTimeoutMs: options.timeoutMs });
    redisResult = await redisPingCheck(redis);
  } catch (error) {
    redisResult = { name: 'redis ping', status: 'fail', value: 'unreachable', detail: (error as Error).message };
  }
  try {
    const watched = [KEYS.proposedStream, KEYS.governorEvents, KEYS.planStream];
    const before = redis ? await Promise.all(watched.map((s) => sampleStream(redis as Redis, s))).catch(() => undefined) : undefined;
    const [allocation, governor] = await Promise.all([
      probeService(options.allocationUrl, options.timeoutMs),
      probeService(options.governorUrl, options.timeoutMs),
    ]);
    const checks: CheckResult[] = [redisResult];
    checks.push(
      readyzCheck('allocation-target', options.allocationUrl, allocation),
      metricsCheck('allocation-target', options.allocationUrl, allocation),
      loopAgeCheck(allocation, Date.now() / 1000, options.maxLoopAgeSec),
      readyzCheck('governor', options.governorUrl, governor),
      metricsCheck('governor', options.governorUrl, governor),
    );
    const noRedis = (n: string): CheckResult => ({ name: n, status: 'fail', value: 'skipped', detail: 'Redis unreachable' });
    const groupName = `governor group on ${KEYS.planStream}`;
    let targets = 0;
    if (redis) {
      const r = redis;
      checks.push(await guarded(groupName, () => consumerGroupCheck(r, options.maxLag, options.maxPending)));
      targets = await countTargets(r).catch(() => 0);
      checks.push(await guarded('proposal key TTLs', () => ttlCheck(r, 'proposal key TTLs', KEYS.proposed('*'), 600, options.sample, targets > 0 ? 'fail' : 'warn')));
      checks.push(await guarded('permit TTLs', () => ttlCheck(r, 'permit TTLs', KEYS.permit('*'), 60, options.sample, 'pass')));
    } else {
      checks.push(noRedis(groupName), noRedis('proposal key TTLs'), noRedis('permit TTLs'));
    }
    checks.push(configCheck('allocation-target', allocation), configCheck('governor', governor));

    const growthNames = ['proposal stream growing', 'governor events growing'];
    if (redis && before) {
      const deadline = started + options.windowSec * 1000;
      while (Date.now() < deadline) {
        options.onWait?.(Math.ceil((deadline - Date.now()) / 1000));
        await sleep(Math.min(1000, deadline - Date.now()));
      }
      const r = redis;
      const after = await Promise.all(watched.map((s) => sampleStream(r, s))).catch((error: Error) => error);
      if (after instanceof Error) {
        checks.push(...growthNames.map((n) => ({ name: n, status: 'fail' as const, value: 'error', detail: after.message })));
      } else {
        const [p0, g0, a0] = before as StreamSample[];
        const [p1, g1, a1] = after;
        const plansMoved = a1.lastId !== a0.lastId;
        checks.push(
          growthCheck(growthNames[0], p0, p1, options.windowSec, targets === 0 ? 'no allocation targets in Redis' : undefined),
          growthCheck(growthNames[1], g0, g1, options.windowSec, plansMoved ? undefined : 'no new plans on the apply stream'),
        );
      }
    } else {
      checks.push(...growthNames.map(noRedis));
    }
    return checks;
  } finally {
    redis?.disconnect();
  }
}

export function summarize(checks: readonly CheckResult[]) {
  const count = (s: string) => checks.filter((c) => c.status === s).length;
  return { pass: count('pass'), warn: count('warn'), fail: count('fail') };
}

export async function run(argv: readonly string[]): Promise<number> {
  if (wantsHelp(argv)) {
    process.stdout.write(`${usage}\n`);
    return 0;
  }
  return withUsage(usage, async () => {
    const { values } = parseCommandArgs(argv, {
      'redis-url': { type: 'string' },
      'allocation-url': { type: 'string' },
      'governor-url': { type: 'string' },
      window: { type: 'string' },
      'max-lag': { type: 'string' },
      'max-pending': { type: 'string' },
      'max-loop-age': { type: 'string' },
      timeout: { type: 'string' },
      sample: { type: 'string' },
      json: { type: 'boolean' },
    });
    const json = values.json === true;
    const stderrTty = Boolean(process.stderr.isTTY) && !json;
    const options: VerifyOptions = {
      redisUrl: redisUrlFrom(values['redis-url']),
      allocationUrl: values['allocation-url'] ?? 'http://127.0.0.1:8065',
      governorUrl: values['governor-url'] ?? 'http://127.0.0.1:8044',
      windowSec: numberOption('window', values.window, 12, { min: 0 }),
      maxLag: numberOption('max-lag', values['max-lag'], 1000, { min: 0, integer: true }),
      maxPending: numberOption('max-pending', values['max-pending'], 100, { min: 0, integer: true }),
      maxLoopAgeSec: numberOption('max-loop-age', values['max-loop-age'], 120, { min: 0, minExclusive: true }),
      timeoutMs: numberOption('timeout', values.timeout, 3000, { min: 1, integer: true }),
      sample: numberOption('sample', values.sample, 1000, { min: 1, integer: true }),
      onWait: stderrTty ? (left) => process.stderr.write(`\rwatching the streams: ${left} s left `) : undefined,
    };
    const checks = await runChecks(options);
    if (stderrTty) process.stderr.write('\r\u001b[K');
    const totals = summarize(checks);
    const ok = totals.fail === 0;
    if (json) {
      const target = { redis: redactUrl(options.redisUrl), allocation: options.allocationUrl, governor: options.governorUrl, windowSec: options.windowSec };
      process.stdout.write(`${JSON.stringify({ ok, summary: totals, target, checks })}\n`);
      return ok ? 0 : 1;
    }
    const c = palette();
    const mark = { pass: c.green('PASS'), warn: c.yellow('WARN'), fail: c.red('FAIL') };
    const rows = checks.map((check) => [mark[check.status], check.name, check.value, check.detail ?? '']);
    process.stdout.write(`verify ${redactUrl(options.redisUrl)}, ${options.allocationUrl}, ${options.governorUrl}\n\n`);
    process.stdout.write(`${renderTable(['status', 'check', 'value', 'detail'], rows)}\n\n`);
    const line = `${totals.pass} passed, ${totals.warn} warning(s), ${totals.fail} failed`;
    process.stdout.write(`${ok ? c.green(line) : c.red(line)}\n`);
    return ok ? 0 : 1;
  });
}

export const verifyCommand: Command = { name, summary, usage, run };
