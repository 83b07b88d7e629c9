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
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { findFreePort, RedisServerProcess, redisServerAvailable } from '@quantum/redis-streams/testing';
import { numberOption, parseCommandArgs, UsageError, wantsHelp } from '../ctl/support/args';
import { palette } from '../ctl/support/colour';
import type Redis from 'ioredis';
import { connectRedis, redactUrl } from '../ctl/support/redis';
import { KEYS } from '../ctl/support/keys';
import { DEFAULT_MARKET_KEY_PATTERN } from '../simulate/market-key';
import { readStatsFile } from '../simulate/stats-file';
import { formatProducers } from '../simulate/summary';
import { formatStackLine, stackNumbers } from './metrics-summary';

const ROOT = resolve(__dirname, '../../..');
const ROLE_ENV = 'QUANTUM_START_ROLE';
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
const out = (line: string) => process.stdout.write(`${line}\n`);

// ---------------------------------------------------------------- supervisor

function supervise(argv: readonly string[]): void {
  const child = spawn(process.execPath, [...process.execArgv, __filename, ...argv], {
    detached: true,
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
    env: { ...process.env, [ROLE_ENV]: 'orchestrator' },
  });
  let signalled = false;
  const forward = (signal: NodeJS.Signals) => {
    if (signalled) return; // a terminal Ctrl-C may arrive twice (npm and tsx relay it too)
    signalled = true;
    if (child.connected) child.send({ stop: signal });
    else child.kill('SIGTERM');
  };
  process.on('SIGINT', forward);
  process.on('SIGTERM', forward);
  process.on('SIGHUP', forward);
  child.on('exit', (code, signal) => {
    process.exitCode = code ?? (signal ? 1 : 0);
    process.exit();
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
      '--conditions=@quantum/source', '--import', 'tsx', join(ROOT, 'tools/src/ctl/main.ts'), 'simulate',
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

  /** Stops what was started, in order: simulator, services (SIGTERM, then SIGKILL after 12 s), Redis. */
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
          const killed = await Promise.race([m.exited.then(() => false), sleep(12_000).then(() => true)]);
          if (killed) {
            out(this.c.yellow(`${m.name} did not stop within 12 s: SIGKILL`));
            m.child.kill('SIGKILL');
            await m.exited;
          }
          out(`stopped ${m.name} (${m.child.exitCode ?? m.child.signalCode})`);
        }));
      }
      if (this.redisServer) {
        await this.redisServer.stop();
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
    process.stderr.write(`error: ${error.message}\n\n${USAGE}\n`);
    process.exit(2);
  }
  const orchestrator = new Orchestrator(options);
  const stop = () => orchestrator.requestStop(0);
  process.on('message', (message: unknown) => {
    if (message && typeof message === 'object' && 'stop' in message) stop();
  });
  process.on('disconnect', stop); // the supervisor is gone
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  let code: number;
  try {
    code = await orchestrator.run();
  } catch (error) {
    process.stderr.write(`start: ${(error as Error).stack ?? String(error)}\n`);
    orchestrator.requestStop(1);
    code = 1;
  }
  code = Math.max(code, await orchestrator.shutdown());
  process.exitCode = code;
  if (process.connected) process.disconnect?.();
  process.exit(code);
}

if (require.main === module) {
  const argv = process.argv.slice(2);
  if (wantsHelp(argv)) {
    out(USAGE);
  } else if (process.env[ROLE_ENV] === 'orchestrator') {
    void orchestrate(argv);
  } else {
    supervise(argv);
  }
}
