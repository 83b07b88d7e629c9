/**
 * `npm start`: the whole system locally. Builds the two services, uses REDIS_URL or starts a
 * redis-server of its own, starts allocation-target, governor and `ctl simulate` as child
 * processes (logs to files), prints where the metrics are and a live one-line summary per
 * interval. Ctrl-C / SIGTERM stops everything it started (simulator, services, then Redis), exit 0.
 *
 * Process layout: this process (the "supervisor", in the terminal's process group) re-runs
 * itself detached as the "orchestrator", which owns every child. A terminal Ctrl-C therefore
 * reaches only the supervisor, which asks the orchestrator to stop in order, instead of
 * reaching redis-server and the services all at once.
 *
 * Nothing may outlive the supervisor, whatever happens to its terminal or output pipe. Being
 * detached, the orchestrator leads a process group of its own, which every child joins; and the
 * two processes watch each other: the orchestrator stops the stack in order when its IPC channel
 * to the supervisor closes (the supervisor exited, crashed or was SIGKILLed: the kernel closes
 * the channel with it), and the supervisor, once the orchestrator has exited however it did,
 * kills what is left of that group. Plain Node on Linux and macOS, no extra process per child
 * (a wrapper that relays signals and watches a pipe), no PR_SET_PDEATHSIG (out of Node's reach
 * without setpriv or a native addon, and redis-server is spawned by the library). A SIGKILL of
 * either process leaves nothing behind; only both SIGKILLed together could.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findFreePort, RedisServerProcess, redisServerAvailable } from '@quantum/redis-streams/testing';
import { settlesWithin } from '@quantum/service-runtime';
import { numberOption, parseCommandArgs, UsageError, wantsHelp } from '@quantum/cli-support/args';
import { palette } from '@quantum/cli-support/colour';
import type Redis from 'ioredis';
import { connectRedis, redactUrl } from '@quantum/cli-support/redis';
import { KEYS } from '@quantum/cli-support/keys';
import { DEFAULT_MARKET_KEY_PATTERN } from '@quantum/simulator/market-key';
import { readStatsFile } from '@quantum/simulator/stats-file';
import { formatProducers } from '@quantum/simulator/summary';
import { formatStackLine, stackNumbers } from './metrics-summary';

const ROOT = resolve(__dirname, '../../../..');
const ROLE_ENV = 'QUANTUM_START_ROLE';
const STOP_SIGNALS = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
/** How long a process being stopped gets after SIGTERM before SIGKILL. */
const STOP_GRACE_MS = 10_000;
/**
 * How long the supervisor waits for the orchestrator's ordered stop (simulator, services, Redis:
 * each at most STOP_GRACE_MS, then SIGKILL) before it kills the whole group.
 */
const ORCHESTRATOR_STOP_MS = 4 * STOP_GRACE_MS;
/** The simulator's market feed, which is also the governor's price source: neither producer's plans carry a price. */
const MARKET_KEY_PATTERN = DEFAULT_MARKET_KEY_PATTERN;

export const USAGE = `usage: npm start [-- options]

Runs the whole system locally: builds allocation-target and governor, uses REDIS_URL or starts
its own redis-server (temporary directory, free port), starts both services and the simulator
(ctl simulate), prints where the metrics are and a live summary line per interval: the
services' numbers and, per producer (apply layer, intent bridge), the simulator's plans and
permits consumed / blocked / timed out. The governor prices plans with the simulator's market
feed (GOV_PRICE_KEY_PATTERN=${MARKET_KEY_PATTERN}).
Ctrl-C stops everything it started and exits 0. Child logs (JSON) go to files in the log dir.

options:
  --no-build             do not build (use the existing apps/*/dist)
  --symbols <n>          simulated universe (default 50)
  --plans-per-sec <r>    simulated plans per second, both producers (default 5)
  --seed <n>             simulator seed (default 1)
  --loop-interval <sec>  allocation-target LOOP_INTERVAL_SEC (default 5)
  --summary-every <sec>  seconds between summary lines (default 5)
  --log-dir <dir>        where the child logs go (default: a new temporary directory)
  -h, --help             this help`;

interface StartOptions {
  build: boolean;
  symbols: number;
  plansPerSec: number;
  seed: number;
  loopInterval: number;
  summaryEvery: number;
  logDir: string | undefined;
}

function parseOptions(argv: readonly string[]): StartOptions {
  const { values } = parseCommandArgs(argv, {
    'no-build': { type: 'boolean' },
    symbols: { type: 'string' },
    'plans-per-sec': { type: 'string' },
    seed: { type: 'string' },
    'loop-interval': { type: 'string' },
    'summary-every': { type: 'string' },
    'log-dir': { type: 'string' },
  });
  return {
    build: values['no-build'] !== true,
    symbols: numberOption('symbols', values.symbols, 50, { min: 1, integer: true }),
    plansPerSec: numberOption('plans-per-sec', values['plans-per-sec'], 5, { min: 0 }),
    seed: numberOption('seed', values.seed, 1, { min: 0, integer: true }),
    loopInterval: numberOption('loop-interval', values['loop-interval'], 5, { min: 0, minExclusive: true }),
    summaryEvery: numberOption('summary-every', values['summary-every'], 5, { min: 0.2 }),
    logDir: values['log-dir'],
  };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

// ---------------------------------------------------------------- output

const closedOutputs = new Set<NodeJS.WriteStream>();
let outputGone: () => void = () => undefined;

/**
 * Makes a failed write to stdout or stderr end the writes there and call `onGone`, instead of
 * crashing the process (an unhandled 'error'): EPIPE when the reader went away (`npm start | tee`,
 * and Ctrl-C ends tee too), EIO when the terminal closed. Nobody sees the stack any more, so
 * it stops, as the writer of a pipeline does.
 */
function guardOutput(onGone: () => void): void {
  outputGone = onGone;
  for (const stream of [process.stdout, process.stderr]) stream.on('error', () => closeOutput(stream));
}

function closeOutput(stream: NodeJS.WriteStream): void {
  if (closedOutputs.has(stream)) return;
  closedOutputs.add(stream);
  outputGone();
}

function write(stream: NodeJS.WriteStream, text: string): void {
  if (closedOutputs.has(stream)) return;
  try {
    stream.write(text);
  } catch {
    closeOutput(stream); // most failures arrive as 'error'; a synchronous one is the same news
  }
}

const out = (line: string) => write(process.stdout, `${line}\n`);
const err = (text: string) => write(process.stderr, text);

/** Routes an uncaught exception or unhandled rejection to `onFatal`, which stops the children, instead of dying with them running. */
function onUncaught(onFatal: (error: unknown) => void): void {
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', onFatal);
}

const describeError = (error: unknown) => (error instanceof Error ? (error.stack ?? error.message) : String(error));

// ---------------------------------------------------------------- supervisor

/** Sends `signal` to the process group `group`; false when none of it is left. */
function signalGroup(group: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-group, signal);
    return true;
  } catch {
    return false;
  }
}

/**
 * Ends what is left of the orchestrator's process group (nothing, after an ordered stop):
 * SIGTERM, then SIGKILL after STOP_GRACE_MS. A member that died but was not reaped yet counts
 * as left, so at worst this waits the grace period out.
 */
async function reapGroup(group: number): Promise<void> {
  if (!signalGroup(group, 'SIGTERM')) return;
  const deadline = Date.now() + STOP_GRACE_MS;
  while (Date.now() < deadline) {
    await sleep(100);
    if (!signalGroup(group, 0)) return;
  }
  signalGroup(group, 'SIGKILL');
}

function supervise(argv: readonly string[]): void {
  const child = spawn(process.execPath, [...process.execArgv, __filename, ...argv], {
    detached: true, // its own process group, which its children join: see the header
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, [ROLE_ENV]: 'orchestrator' },
  });
  const group = child.pid;
  let stopping = false;
  const stop = (reason: string) => {
    if (stopping) return; // a terminal Ctrl-C may arrive twice (npm and tsx relay it too)
    stopping = true;
    if (child.connected) child.send({ stop: reason });
    else if (group !== undefined) signalGroup(group, 'SIGTERM');
    // every step of the orchestrator's stop is bounded; should it hang anyway, the group goes
    setTimeout(() => group !== undefined && signalGroup(group, 'SIGKILL'), ORCHESTRATOR_STOP_MS).unref();
  };
  for (const signal of STOP_SIGNALS) process.on(signal, () => stop(signal));
  guardOutput(() => stop('output closed'));
  onUncaught((error) => {
    err(`start: ${describeError(error)}\n`);
    stop('supervisor error');
  });
  child.on('error', (error) => {
    // also a failed send or kill: only a failed spawn means there is no orchestrator to wait for
    err(`start: orchestrator: ${error.message}\n`);
    if (group === undefined) process.exit(1);
  });
  child.once('exit', (code, signal) => {
    // after an ordered stop the group is empty; after a crash or SIGKILL it holds the stack
    void (group === undefined ? Promise.resolve() : reapGroup(group)).finally(() => process.exit(code ?? (signal ? 1 : 0)));
  });
}

// ---------------------------------------------------------------- orchestrator

async function portFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolvePort) => {
    const server = createServer();
    server.once('error', () => resolvePort(false));
    server.listen(port, host, () => server.close(() => resolvePort(true)));
  });
}

async function pickPort(preferred: number, host: string, taken: Set<number>): Promise<number> {
  if (!taken.has(preferred) && (await portFree(preferred, host))) return preferred;
  for (;;) {
    const port = await findFreePort(host);
    if (!taken.has(port)) return port;
  }
}

async function httpText(url: string, timeoutMs = 2000): Promise<{ status: number; body: string } | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(timeoutMs) });
    return { status: response.status, body: await response.text() };
  } catch {
    return undefined;
  }
}

function tail(file: string, lines = 15): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log)';
  }
}

interface Managed {
  name: string;
  child: ChildProcess;
  log: string;
  exited: Promise<void>;
}

class Orchestrator {
  private readonly managed: Managed[] = [];
  private redisServer: RedisServerProcess | undefined;
  private stopping: Promise<number> | undefined;
  /** A stop asked for while starting up: honoured at the next step boundary. */
  private stopRequested: number | undefined;
  private running = false;
  private build: ChildProcess | undefined;
  private summaryTimer: NodeJS.Timeout | undefined;
  private redis: Redis | undefined;
  private readonly c = palette();

  constructor(private readonly options: StartOptions) {}

  private startChild(name: string, command: string, args: string[], env: NodeJS.ProcessEnv, log: string): Managed {
    // a fatal error may stop the stack while the start-up is still under way: start nothing more
    if (this.stopping) throw new Error(`not starting ${name}: stopping`);
    const fd = openSync(log, 'a');
    const child = spawn(command, args, { cwd: ROOT, env, stdio: ['ignore', fd, fd] });
    closeSync(fd);
    const exited = new Promise<void>((resolveExit) => child.once('exit', () => resolveExit()));
    const managed = { name, child, log, exited };
    this.managed.push(managed);
    child.once('exit', (code, signal) => {
      if (this.stopping) return;
      out(this.c.red(`${name} exited unexpectedly (${code ?? signal}); last log lines (${log}):`));
      out(tail(log));
      this.requestStop(1);
    });
    return managed;
  }

  async run(): Promise<number> {
    const o = this.options;
    const logDir = o.logDir ? resolve(o.logDir) : mkdtempSync(join(tmpdir(), 'quantum-start-'));
    mkdirSync(logDir, { recursive: true });
    out(`logs: ${logDir}`);

    const halted = () => this.stopRequested !== undefined;
    if (o.build) {
      const log = join(logDir, 'build.log');
      out('building allocation-target and governor (nx run-many -t build) ...');
      const code = await new Promise<number>((resolveBuild) => {
        const fd = openSync(log, 'a');
        const build = spawn('npx', ['nx', 'run-many', '-t', 'build', '-p', '@quantum/allocation-target', '@quantum/governor'], { cwd: ROOT, stdio: ['ignore', fd, fd] });
        this.build = build;
        closeSync(fd);
        build.once('exit', (c) => resolveBuild(c ?? 1));
        build.once('error', () => resolveBuild(1));
      });
      this.build = undefined;
      if (halted()) return this.shutdown();
      if (code !== 0) {
        out(this.c.red(`build failed (exit ${code}); ${log}:`));
        out(tail(log, 30));
        return 1;
      }
    }
    const mains = ['allocation-target', 'governor'].map((app) => join(ROOT, 'apps', app, 'dist', 'main.js'));
    const missing = mains.filter((m) => !existsSync(m));
    if (missing.length > 0) {
      out(this.c.red(`missing ${missing.join(', ')}: run without --no-build`));
      return 1;
    }

    let redisUrl = process.env['REDIS_URL'];
    if (redisUrl) {
      out(`redis: ${redactUrl(redisUrl)} (REDIS_URL)`);
    } else {
      if (!redisServerAvailable()) {
        out(this.c.red('no redis-server on PATH: install it (Debian: apt-get install -y redis-server) or set REDIS_URL'));
        return 1;
      }
      this.redisServer = await RedisServerProcess.start();
      redisUrl = this.redisServer.url;
      if (halted()) return this.shutdown();
      out(`redis: ${redisUrl} (own redis-server, pid ${this.pidOfRedis() ?? '?'})`);
    }

    const host = '127.0.0.1';
    const taken = new Set<number>();
    const allocationPort = await pickPort(8065, host, taken);
    taken.add(allocationPort);
    const governorPort = await pickPort(8044, host, taken);
    if (halted()) return this.shutdown();
    const base: NodeJS.ProcessEnv = { ...process.env, REDIS_URL: redisUrl, METRICS_HOST: host };
    delete base[ROLE_ENV];
    const allocation = this.startChild('allocation-target', process.execPath, [mains[0]],
      { ...base, METRICS_PORT: String(allocationPort), LOOP_INTERVAL_SEC: String(o.loopInterval) }, join(logDir, 'allocation-target.log'));
    const governor = this.startChild('governor', process.execPath, [mains[1]],
      { ...base, METRICS_PORT: String(governorPort), GOV_PRICE_KEY_PATTERN: MARKET_KEY_PATTERN }, join(logDir, 'governor.log'));
    const allocationUrl = `http://${host}:${allocationPort}`;
    const governorUrl = `http://${host}:${governorPort}`;
    out(`allocation-target: ${allocationUrl}/metrics${allocationPort !== 8065 ? ' (8065 was taken)' : ''}  pid ${allocation.child.pid}`);
    out(`governor:          ${governorUrl}/metrics${governorPort !== 8044 ? ' (8044 was taken)' : ''}  pid ${governor.child.pid}`);

    // wait until both answer /readyz (the governor creates its consumer group before the simulator writes plans)
    const deadline = Date.now() + 30_000;
    for (;;) {
      if (halted()) return this.shutdown();
      const [a, g] = await Promise.all([httpText(`${allocationUrl}/readyz`), httpText(`${governorUrl}/readyz`)]);
      if (a?.status === 200 && g?.status === 200) break;
      if (Date.now() > deadline) {
        out(this.c.yellow('services not ready after 30 s; going on (see the logs)'));
        break;
      }
      await sleep(200);
    }

    if (halted()) return this.shutdown();
    const simStats = join(logDir, 'simulate.stats.json');
    const simulate = this.startChild('simulate', process.execPath, [
      '--conditions=@quantum/source', '--import', 'tsx', join(ROOT, 'tools/ctl/src/main.ts'), 'simulate',
      '--redis-url', redisUrl, '--symbols', String(o.symbols), '--plans-per-sec', String(o.plansPerSec), '--seed', String(o.seed),
      '--summary-every', String(o.summaryEvery), '--market-key-pattern', MARKET_KEY_PATTERN, '--stats-file', simStats,
    ], { ...base, NO_COLOR: '1' }, join(logDir, 'simulate.log'));
    out(`simulate: ${o.symbols} symbols, ${o.plansPerSec} plans/s, seed ${o.seed}  pid ${simulate.child.pid}`);
    out(`pids: ${this.managed.map((m) => m.child.pid).concat(this.pidOfRedis() ?? []).join(' ')}`);
    out(`verify: npm run ctl -- verify --redis-url ${redactUrl(redisUrl)} --allocation-url ${allocationUrl} --governor-url ${governorUrl}`);
    out(this.c.bold('running; Ctrl-C to stop'));

    this.redis = await connectRedis(redisUrl, { app: 'start' }).catch(() => undefined);
    if (halted()) return this.shutdown();
    const summarize = async () => {
      const [a, g, group] = await Promise.all([httpText(`${allocationUrl}/metrics`), httpText(`${governorUrl}/metrics`), this.groupInfo()]);
      const numbers = stackNumbers(a?.status === 200 ? a.body : undefined, g?.status === 200 ? g.body : undefined);
      // the governor's own gauges when it has them, else what Redis says about the group
      numbers.lag ??= group?.lag;
      numbers.pending ??= group?.pending;
      const sim = readStatsFile(simStats); // as of the simulator's last summary
      const time = new Date().toISOString().slice(11, 19);
      if (!this.stopping) out(`${this.c.dim(time)} ${formatStackLine(numbers, sim ? formatProducers(sim) : undefined)}`);
    };
    this.summaryTimer = setInterval(() => void summarize(), o.summaryEvery * 1000);
    this.running = true;
    return new Promise<number>((resolveRun) => {
      const wait = setInterval(() => {
        if (halted()) {
          clearInterval(wait);
          resolveRun(this.shutdown());
        }
      }, 50);
    });
  }

  /** Asks to stop: at once when running, else at the next step of the start-up. */
  requestStop(code: number): void {
    if (this.stopRequested === undefined) this.stopRequested = code;
    if (!this.running) {
      if (this.build && this.build.exitCode === null) this.build.kill('SIGTERM');
      out('stopping after the current start-up step ...');
    }
  }

  /** Lag and pending of the governor group, straight from Redis (XINFO GROUPS). */
  private async groupInfo(): Promise<{ lag: number | undefined; pending: number } | undefined> {
    try {
      const groups = (await this.redis?.xinfo('GROUPS', KEYS.planStream)) as unknown[][] | undefined;
      for (const raw of groups ?? []) {
        const g: Record<string, unknown> = {};
        for (let i = 0; i + 1 < raw.length; i += 2) g[String(raw[i])] = raw[i + 1];
        if (g['name'] !== KEYS.governorGroup) continue;
        return { lag: g['lag'] === null || g['lag'] === undefined ? undefined : Number(g['lag']), pending: Number(g['pending']) };
      }
    } catch {
      // no stream yet, or Redis away: the line shows '?'
    }
    return undefined;
  }

  private pidOfRedis(): number | undefined {
    return (this.redisServer as unknown as { child?: ChildProcess } | undefined)?.child?.pid;
  }

  /** Stops what was started, in order: simulator, services, Redis; each SIGTERM, then SIGKILL after STOP_GRACE_MS. */
  shutdown(): Promise<number> {
    if (this.stopping) return this.stopping;
    const code = this.stopRequested ?? 0;
    this.stopping = (async () => {
      clearInterval(this.summaryTimer);
      this.redis?.disconnect();
      out('stopping ...');
      const order = [['simulate'], ['allocation-target', 'governor']];
      for (const names of order) {
        await Promise.all(this.managed.filter((m) => names.includes(m.name)).map(async (m) => {
          if (m.child.exitCode !== null || m.child.signalCode !== null) return;
          m.child.kill('SIGTERM');
          if (!(await settlesWithin(m.exited, STOP_GRACE_MS))) {
            out(this.c.yellow(`${m.name} did not stop within ${STOP_GRACE_MS / 1000} s: SIGKILL`));
            m.child.kill('SIGKILL');
            await m.exited;
          }
          out(`stopped ${m.name} (${m.child.exitCode ?? m.child.signalCode})`);
        }));
      }
      if (this.redisServer) {
        if (!(await settlesWithin(this.redisServer.stop(), STOP_GRACE_MS))) {
          out(this.c.yellow(`redis-server did not stop within ${STOP_GRACE_MS / 1000} s: SIGKILL`));
          await this.redisServer.kill();
        }
        out('stopped redis-server');
      }
      out(code === 0 ? 'all stopped' : 'all stopped (after an error)');
      return code;
    })();
    return this.stopping;
  }
}

async function orchestrate(argv: readonly string[]): Promise<void> {
  let options: StartOptions;
  try {
    options = parseOptions(argv);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    err(`error: ${error.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  const orchestrator = new Orchestrator(options);
  const stop = () => orchestrator.requestStop(0);
  process.on('message', (message: unknown) => {
    if (message && typeof message === 'object' && 'stop' in message) stop();
  });
  process.on('disconnect', stop); // the supervisor is gone, even SIGKILLed
  for (const signal of STOP_SIGNALS) process.on(signal, stop);
  guardOutput(stop);
  onUncaught((error) => {
    // the start-up may be stuck wherever the error left it: stop from here, not at its next step
    err(`start: ${describeError(error)}\n`);
    orchestrator.requestStop(1);
    void orchestrator.shutdown().finally(() => exitOrchestrator(1));
  });
  let code: number;
  try {
    code = await orchestrator.run();
  } catch (error) {
    err(`start: ${describeError(error)}\n`);
    orchestrator.requestStop(1);
    code = 1;
  }
  exitOrchestrator(Math.max(code, await orchestrator.shutdown()));
}

function exitOrchestrator(code: number): never {
  if (process.connected) process.disconnect?.();
  process.exit(code);
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  if (wantsHelp(argv)) {
    guardOutput(() => undefined);
    out(USAGE);
  } else if (process.env[ROLE_ENV] === 'orchestrator') {
    void orchestrate(argv);
  } else {
    supervise(argv);
  }
}
