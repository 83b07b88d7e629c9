import type Redis from 'ioredis';
import type { AllocationProposal } from '@quantum/efficiency-core';
import { boundedText } from '@quantum/service-runtime';
import { RepeatThrottle } from './repeat-throttle';
import { runShadowLoop, type LoopObserver, type LoopOptions, type LoopOutcome } from './shadow-loop';
import type { ShadowMetrics } from './shadow-metrics';
import type { ShadowSettings } from './settings';

/** A failure repeating the previous one is logged at most this often (the loop retries every interval). */
const FAILURE_LOG_EVERY_MS = 30_000;

/** The logger the service writes to (a winston logger fits). */
export interface ServiceLogger {
  error(message: string, meta?: Record<string, unknown>): unknown;
  warn(message: string, meta?: Record<string, unknown>): unknown;
  info(message: string, meta?: Record<string, unknown>): unknown;
  debug(message: string, meta?: Record<string, unknown>): unknown;
  isDebugEnabled?(): boolean;
}

export interface ShadowServiceOptions {
  /** Epoch milliseconds (default Date.now). The loop's `now` is this floored to whole seconds. */
  readonly clock?: () => number;
  /** Called whenever readiness changes (e.g. to flip the metrics server's /readyz). */
  readonly onReadyChange?: (ready: boolean, reason: string) => void;
  readonly loop?: LoopOptions;
  /** Replaces the real loop (tests of the schedule); default `runShadowLoop`. */
  readonly runLoop?: (client: Redis, settings: ShadowSettings, now: number, observer: LoopObserver, options?: LoopOptions) => Promise<LoopOutcome>;
}

/**
 * Runs the proposal loop every `loopIntervalSec`, measured from loop start. Loops never overlap:
 * a slow loop delays the next one, which then starts at once. A failed loop is retried at the
 * next tick, never later: Redis may accept writes again at any moment without the connection
 * ever dropping (a `noeviction` Redis that was full), and nothing but the next attempt can tell.
 * That is no busy loop: a retry costs Redis at most what a healthy loop costs at the same
 * interval, and while the connection is down an attempt fails at once (no offline queue).
 * `wake()` runs the retry as soon as the connection is back. The loop component is unhealthy
 * from a failure until a loop succeeds again.
 */
export class ShadowService {
  private timer: NodeJS.Timeout | undefined;
  private current: Promise<boolean> | undefined;
  private stopping = false;
  private failures = 0;
  private ready = false;
  private readonly clock: () => number;
  private readonly failureLog: RepeatThrottle;

  constructor(
    private readonly client: Redis,
    private readonly settings: ShadowSettings,
    private readonly metrics: ShadowMetrics,
    private readonly log: ServiceLogger,
    private readonly options: ShadowServiceOptions = {},
  ) {
    this.clock = options.clock ?? Date.now;
    this.failureLog = new RepeatThrottle(FAILURE_LOG_EVERY_MS, this.clock);
  }

  get isReady(): boolean {
    return this.ready;
  }

  get consecutiveFailures(): number {
    return this.failures;
  }

  /** Runs one loop now (waits for one in progress first). Resolves true when it succeeded. */
  async runOnce(): Promise<boolean> {
    while (this.current) await this.current;
    const run = this.loop();
    this.current = run;
    try {
      return await run;
    } finally {
      this.current = undefined;
    }
  }

  /** Starts the schedule: a loop now, then one every interval. */
  start(): void {
    this.stopping = false;
    this.schedule(0);
  }

  /**
   * Redis is reachable again: if the last loop failed and the next attempt is waiting for its
   * tick, run it now, so proposals resume as soon as the connection is back rather than up to
   * an interval later. Does nothing while healthy or while a loop runs.
   */
  wake(): void {
    if (this.stopping || this.ready || this.timer === undefined || this.failures === 0) return;
    clearTimeout(this.timer);
    this.timer = undefined;
    this.schedule(0);
  }

  /** Stops scheduling and waits for the loop in hand to finish. */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    while (this.current) await this.current.catch(() => false);
  }

  private schedule(delayMs: number): void {
    if (this.stopping) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      const startedAt = this.clock();
      void this.runOnce().then(() => {
        if (this.stopping) return;
        this.schedule(Math.max(0, startedAt + this.settings.loopIntervalSec * 1000 - this.clock()));
      });
    }, delayMs);
  }

  private async loop(): Promise<boolean> {
    const started = performance.now();
    const cpuStart = process.cpuUsage();
    const now = Math.floor(this.clock() / 1000);
    const debug = this.log.isDebugEnabled?.() ?? false;
    const metrics = this.metrics;
    const log = this.log;
    const observer = {
      onLoopStart(): void {
        metrics.onLoopStart();
      },
      onBatch(symbols: readonly string[], proposals: readonly AllocationProposal[]): void {
        metrics.onBatch(symbols, proposals);
        if (debug) {
          for (let i = 0; i < proposals.length; i++) {
            const p = proposals[i] as AllocationProposal;
            // the problem quotes the stored target_usd, which may be of any size
            if (p.reason === 'invalid_target') log.debug('invalid target, no proposal', { symbol: symbols[i], problem: boundedText(p.targetProblem ?? '') });
          }
        }
      },
    };
    let outcome: LoopOutcome;
    try {
      outcome = await (this.options.runLoop ?? runShadowLoop)(this.client, this.settings, now, observer, this.options.loop);
    } catch (error) {
      const durationSec = (performance.now() - started) / 1000;
      this.failures++;
      metrics.loopFailed(durationSec);
      // an error's message may quote what Redis holds (a script error, a value): bounded
      const message = boundedText(String((error as Error)?.message ?? error));
      this.setReady(false, message);
      const notLogged = this.failureLog.admit(message);
      if (notLogged !== undefined) {
        log.error('proposal loop failed', {
          now,
          duration_ms: round(durationSec * 1000),
          consecutive_failures: this.failures,
          ...(notLogged > 0 ? { failures_not_logged: notLogged } : {}),
          error: { name: (error as Error)?.name, message },
        });
      }
      return false;
    }
    const durationSec = (performance.now() - started) / 1000;
    metrics.loopSucceeded(outcome, durationSec, this.clock() / 1000);
    if (this.failures > 0) log.info('proposal loop recovered', { after_failures: this.failures });
    this.failures = 0;
    this.failureLog.reset();
    this.setReady(true, 'loop succeeded');
    log.info('proposal loop done', {
      now,
      duration_ms: round(durationSec * 1000),
      symbols: outcome.symbols,
      written: outcome.written,
      cpu_ms: cpuMs(process.cpuUsage(cpuStart)),
      skipped_keys: outcome.skippedKeys,
      by_reason: outcome.byReason,
      rss_bytes: process.memoryUsage.rss(),
    });
    if (durationSec > this.settings.loopIntervalSec) {
      log.warn('proposal loop took longer than LOOP_INTERVAL_SEC; the next loop starts late', {
        duration_ms: round(durationSec * 1000),
        loop_interval_sec: this.settings.loopIntervalSec,
      });
    }
    return true;
  }

  private setReady(ready: boolean, reason: string): void {
    this.metrics.setReady(ready);
    if (ready === this.ready) return;
    this.ready = ready;
    this.options.onReadyChange?.(ready, reason);
  }
}

function cpuMs(usage: NodeJS.CpuUsage): number {
  return Math.round((usage.user + usage.system) / 100) / 10;
}

function round(x: number): number {
  return Math.round(x * 1000) / 1000;
}
