import type Redis from 'ioredis';
import { Registry } from 'prom-client';
import type { LoopOutcome } from './shadow-loop';
import { ShadowMetrics } from './shadow-metrics';
import { ShadowService, type ServiceLogger } from './shadow-service';
import { DEFAULT_SHADOW_SETTINGS } from './settings';

const quiet: ServiceLogger = { error: () => undefined, warn: () => undefined, info: () => undefined, debug: () => undefined };
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function outcome(now: number): LoopOutcome {
  return { now, symbols: 0, written: 0, skippedKeys: 0, byReason: { ok: 0, missing_eff: 0, invalid_eff: 0, stale_eff: 0, low_conf: 0, redis_error: 0, invalid_target: 0 }, seen: new Set() };
}

// Fake timers (they fake performance.now too) make the schedule exact and independent of load.
describe('ShadowService schedule', () => {
  beforeEach(() => jest.useFakeTimers());
  afterEach(() => jest.useRealTimers());

  it('measures the interval from loop start, and a slow loop delays the next without overlap', async () => {
    const starts: number[] = [];
    let running = 0;
    let maxRunning = 0;
    const durations = [10, 200, 10, 10];
    const service = new ShadowService({} as Redis, { ...DEFAULT_SHADOW_SETTINGS, loopIntervalSec: 0.1 }, new ShadowMetrics(new Registry()), quiet, {
      runLoop: async (_c, _s, now) => {
        starts.push(performance.now());
        running++;
        maxRunning = Math.max(maxRunning, running);
        await sleep(durations[starts.length - 1] ?? 10);
        running--;
        return outcome(now);
      },
    });
    service.start();
    await jest.advanceTimersByTimeAsync(500);
    const stopped = service.stop();
    await jest.advanceTimersByTimeAsync(300);
    await stopped;
    expect(maxRunning).toBe(1);
    const gaps = starts.slice(1).map((t, i) => t - (starts[i] as number));
    expect(gaps[0]).toBe(100); // 10 ms loop, next one 100 ms after its start
    // 200 ms loop: the next starts right after it (fake timers run a 0 ms timeout 1 ms later),
    // not an interval after its end (300 ms)
    expect(gaps[1]).toBeGreaterThanOrEqual(200);
    expect(gaps[1]).toBeLessThanOrEqual(201);
    expect(gaps[2]).toBe(100);
  });

  it('retries a failed loop at the next tick (no growing backoff), is not ready until a loop succeeds, and stop() waits for the loop in hand', async () => {
    const starts: number[] = [];
    const readiness: boolean[] = [];
    let fail = true;
    let finished = 0;
    const metrics = new ShadowMetrics(new Registry());
    const service = new ShadowService({} as Redis, { ...DEFAULT_SHADOW_SETTINGS, loopIntervalSec: 0.05 }, metrics, quiet, {
      onReadyChange: (ready) => readiness.push(ready),
      runLoop: async (_c, _s, now) => {
        starts.push(performance.now());
        await sleep(5);
        if (fail) throw new Error('connection is closed');
        await sleep(60);
        finished++;
        return outcome(now);
      },
    });
    service.start();
    // Redis may take writes again at any moment without any event (a full noeviction Redis):
    // only the next attempt can tell, so it comes one interval after the failed one, every time
    await jest.advanceTimersByTimeAsync(420); // failures at 0, 50, 100, ... 400 ms
    expect(service.isReady).toBe(false);
    const gaps = starts.slice(1).map((t, i) => t - (starts[i] as number));
    expect(gaps.length).toBe(8);
    expect(gaps.every((gap) => gap === 50)).toBe(true);
    expect((await metrics.registry.getSingleMetricAsString('p29_shadow_loop_errors_total'))).toMatch(/p29_shadow_loop_errors_total \d+/);
    fail = false;
    await jest.advanceTimersByTimeAsync(450);
    expect(service.isReady).toBe(true);
    expect(readiness).toEqual([true]);
    // stop in the middle of a loop (5 ms into its 65 ms): stop() resolves only after it finished
    const startsBefore = starts.length;
    for (let ms = 0; ms < 200 && starts.length === startsBefore; ms++) await jest.advanceTimersByTimeAsync(1);
    expect(starts.length).toBe(startsBefore + 1);
    const before = finished;
    await jest.advanceTimersByTimeAsync(10);
    let stopResolved = false;
    const stopping = service.stop().then(() => (stopResolved = true));
    await jest.advanceTimersByTimeAsync(30);
    expect(stopResolved).toBe(false);
    await jest.advanceTimersByTimeAsync(100);
    await stopping;
    expect(finished).toBe(before + 1);
    await jest.advanceTimersByTimeAsync(200);
    expect(starts.length).toBe(startsBefore + 1); // nothing runs after stop
  });

  it('wake() runs the retry at once when the connection is back, and does nothing while healthy', async () => {
    const starts: number[] = [];
    let fail = true;
    const service = new ShadowService({} as Redis, { ...DEFAULT_SHADOW_SETTINGS, loopIntervalSec: 10 }, new ShadowMetrics(new Registry()), quiet, {
      runLoop: async (_c, _s, now) => {
        starts.push(performance.now());
        if (fail) throw new Error('connection is closed');
        return outcome(now);
      },
    });
    service.start();
    await jest.advanceTimersByTimeAsync(10_500); // failures at 0 and 10 000 ms; the next is due at 20 000
    expect(starts.length).toBe(2);
    fail = false;
    service.wake(); // Redis is back
    await jest.advanceTimersByTimeAsync(5);
    expect(starts.length).toBe(3);
    expect(service.isReady).toBe(true);
    service.wake(); // healthy: the regular schedule stands
    await jest.advanceTimersByTimeAsync(5_000);
    expect(starts.length).toBe(3);
    await jest.advanceTimersByTimeAsync(5_100);
    expect(starts.length).toBe(4);
    await service.stop();
  });

  it('logs a repeated failure once per 30 s, with the count of the repeats not logged, and a new one at once', async () => {
    const errors: Record<string, unknown>[] = [];
    let message = 'Stream isn\'t writeable and enableOfflineQueue options is false';
    const log: ServiceLogger = { ...quiet, error: (_m, meta) => void errors.push(meta ?? {}) };
    const service = new ShadowService({} as Redis, { ...DEFAULT_SHADOW_SETTINGS, loopIntervalSec: 1 }, new ShadowMetrics(new Registry()), log, {
      runLoop: async () => {
        throw new Error(message);
      },
    });
    service.start();
    await jest.advanceTimersByTimeAsync(30_500); // 31 failures, at 0 .. 30 000 ms
    expect(errors.length).toBe(2);
    expect(errors[1]).toMatchObject({ consecutive_failures: 31, failures_not_logged: 29 });
    message = 'OOM command not allowed when used memory > \'maxmemory\'.';
    await jest.advanceTimersByTimeAsync(1_000);
    expect(errors.length).toBe(3);
    expect(errors[2]).toMatchObject({ consecutive_failures: 32, error: { message } });
    await service.stop();
  });

  it('quotes at most a few hundred characters of a failure in the log and the readiness reason', async () => {
    const errors: Record<string, unknown>[] = [];
    const reasons: string[] = [];
    const log: ServiceLogger = { ...quiet, error: (_m, meta) => void errors.push(meta ?? {}) };
    const service = new ShadowService({} as Redis, DEFAULT_SHADOW_SETTINGS, new ShadowMetrics(new Registry()), log, {
      onReadyChange: (_ready, reason) => reasons.push(reason),
      runLoop: async () => {
        throw new Error(`ERR value ${'x'.repeat(100_000)}`);
      },
    });
    await service.runOnce();
    const message = (errors[0]?.['error'] as { message: string }).message;
    expect(message.length).toBeLessThan(400);
    expect(message).toMatch(/\.\.\. \(100010 characters\)$/);
    expect(reasons).toEqual([]); // not ready from the start: no change to report
    expect(service.isReady).toBe(false);
  });
});
