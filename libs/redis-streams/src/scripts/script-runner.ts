import type Redis from 'ioredis';
import type { RedisArgument } from '../batch/redis-command';
import type { LuaScript } from './lua-script';

/** One script call's KEYS and ARGV, as a script's protocol module builds them. */
export interface ScriptCall {
  readonly keys?: readonly RedisArgument[];
  readonly args: readonly RedisArgument[];
}

export interface ScriptRunnerOptions {
  /**
   * `evalsha` (default): SCRIPT LOAD once per connection, then EVALSHA. `eval`: the script's
   * text with every call (EVAL), for a Redis user whose ACL allows EVAL but not SCRIPT LOAD and
   * EVALSHA; Redis then never answers NOSCRIPT.
   */
  readonly send?: 'evalsha' | 'eval';
  /**
   * Runs alongside the SCRIPT LOADs whenever the runner meets a new connection (e.g. a check of
   * the server's version); its rejection fails that load.
   */
  readonly onNewConnection?: (redis: Redis) => Promise<void>;
}

/**
 * Runs Lua scripts on one Redis connection. It loads each script once per connection (a
 * reconnect may reach a restarted Redis, whose script cache is empty) and, when Redis forgot
 * a script anyway (SCRIPT FLUSH, a restart between two calls), loads it again and re-runs what
 * got NOSCRIPT: a single call at once; the calls of a {@link ScriptSequence} in their order.
 */
export class ScriptRunner {
  private readonly send: 'evalsha' | 'eval';
  /** SHA -> the connection (ioredis `stream`) it was last loaded on. */
  private readonly loadedOn = new Map<string, unknown>();
  /** The connection `onNewConnection` last ran for. */
  private checkedOn: unknown;

  constructor(
    readonly redis: Redis,
    private readonly options: ScriptRunnerOptions = {},
  ) {
    this.send = options.send ?? 'evalsha';
  }

  /** Whether a call of `script` now can be sent without loading first. */
  isLoaded(script: LuaScript): boolean {
    return this.send === 'eval' || this.loadedOn.get(script.sha) === this.redis.stream;
  }

  /** SCRIPT LOAD of each script not yet loaded on the current connection. */
  async load(scripts: readonly LuaScript[]): Promise<void> {
    if (this.send === 'eval') return;
    const stream = this.redis.stream;
    const missing = scripts.filter((s) => this.loadedOn.get(s.sha) !== stream);
    const check = this.checkedOn !== stream && this.options.onNewConnection ? this.options.onNewConnection(this.redis) : undefined;
    if (missing.length === 0 && check === undefined) return;
    await Promise.all([check, ...missing.map((s) => this.loadScript(s))]);
    this.checkedOn = stream;
    for (const s of missing) this.loadedOn.set(s.sha, stream);
  }

  /** One call: loaded first when needed; after NOSCRIPT loaded again and sent once more. */
  async run(script: LuaScript, call: ScriptCall): Promise<unknown> {
    if (!this.isLoaded(script)) await this.load([script]);
    try {
      return await this.sendNow(script, call);
    } catch (error) {
      if (!isNoScript(error)) throw error;
      await this.loadScript(script);
      return this.sendNow(script, call);
    }
  }

  /**
   * Calls of `script` sent in the order of {@link ScriptSequence.send}, each as soon as it is
   * given. Load the script first ({@link load}): a sequence never waits before sending.
   */
  sequence(script: LuaScript): ScriptSequence {
    return new ScriptSequence(this, script);
  }

  /** Sends the call now; resolves to its reply. */
  sendNow(script: LuaScript, call: ScriptCall): Promise<unknown> {
    const keys = call.keys ?? [];
    if (this.send === 'eval') return this.redis.call('EVAL', script.source, keys.length, ...keys, ...call.args);
    return this.redis.evalsha(script.sha, keys.length, ...keys, ...call.args);
  }

  /** SCRIPT LOAD now; a failure names the script. */
  loadScript(script: LuaScript): Promise<unknown> {
    return this.redis.script('LOAD', script.source).catch((error: unknown) => {
      throw new Error(`SCRIPT LOAD of ${script.name}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    });
  }
}

/**
 * Calls of one script in a fixed order, for callers whose calls must take effect in that order
 * (e.g. the chunks of a stream batch). Each call is sent at once, without waiting for earlier
 * replies. When Redis lost the script while they were in flight, nothing ran for the calls that
 * got NOSCRIPT; {@link replies} runs them again in their order, with the SCRIPT LOAD and the
 * re-runs sent together, without an await in between, so no later call on this connection slips
 * in before them. Calls sent later by other sequences met the same empty cache, and their
 * sequences reach {@link replies} after this one (their replies arrive later on the same
 * connection), so they are re-run after it.
 */
export class ScriptSequence {
  private readonly calls: ScriptCall[] = [];
  private readonly pending: Promise<unknown>[] = [];

  constructor(
    private readonly runner: ScriptRunner,
    private readonly script: LuaScript,
  ) {}

  send(call: ScriptCall): void {
    this.calls.push(call);
    this.pending.push(this.settled(call));
  }

  /** Each call's reply, or its error, in the order sent. */
  async replies(): Promise<unknown[]> {
    const replies = await Promise.all(this.pending);
    const failed: number[] = [];
    for (let k = 0; k < replies.length; k++) if (isNoScript(replies[k])) failed.push(k);
    if (failed.length === 0) return replies;
    // a failed load shows as NOSCRIPT in the re-runs
    const loaded = this.runner.loadScript(this.script).catch(() => undefined);
    const again = failed.map((k) => this.settled(this.calls[k]!));
    await loaded;
    const rerun = await Promise.all(again);
    for (let f = 0; f < failed.length; f++) replies[failed[f]!] = rerun[f];
    return replies;
  }

  private settled(call: ScriptCall): Promise<unknown> {
    return this.runner.sendNow(this.script, call).then(
      (value) => value,
      (error: unknown) => (error instanceof Error ? error : new Error(String(error))),
    );
  }
}

/** Whether Redis answered NOSCRIPT: it did not know the script (nothing ran). */
export function isNoScript(reply: unknown): boolean {
  return reply instanceof Error && /NOSCRIPT/.test(reply.message);
}
