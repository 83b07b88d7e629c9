import { randomUUID } from 'node:crypto';
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { redisServerAvailable, startThrowawayRedis, type ThrowawayRedis } from '@quantum/redis-streams/testing';
import { waitFor } from './chaos/support';

const ROOT = resolve(__dirname, '../..');
const DISTS = ['allocation-target', 'governor'].map((app) => join(ROOT, 'apps', app, 'dist', 'main.js'));

function buildUnlessBuilt(): void {
  if (DISTS.every((d) => existsSync(d))) return;
  const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '-p', '@quantum/allocation-target', '@quantum/governor'], { cwd: ROOT, stdio: 'ignore' });
  if (build.status !== 0) throw new Error('building the services failed');
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Smoke test of `npm start`: the real launcher with the real services (built bundles) against a
 * throwaway Redis given as REDIS_URL. Waits for a summary line with proposals, permits and the
 * simulator's outcomes per producer, then sends SIGINT to the whole process group, as a
 * terminal Ctrl-C does.
 */
describe('npm start (smoke)', () => {
  let redis: ThrowawayRedis;

  beforeAll(async () => {
    buildUnlessBuilt();
    redis = await startThrowawayRedis();
  }, 240_000);
  afterAll(async () => redis?.stop());

  it('starts everything, shows proposals, permits and outcomes per producer, and stops cleanly on Ctrl-C (exit 0, no children left)', async () => {
    const logDir = mkdtempSync(join(tmpdir(), 'start-test-'));
    const child = spawn('npm', ['start', '--', '--no-build', '--summary-every', '1', '--plans-per-sec', '20', '--loop-interval', '1', '--log-dir', logDir], {
      cwd: ROOT,
      env: { ...process.env, REDIS_URL: redis.url, NO_COLOR: '1' },
      detached: true, // its own process group, so that the test can Ctrl-C the whole group
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk.toString()));
    const exited = new Promise<number | null>((resolveExit) => child.once('exit', (code) => resolveExit(code)));
    try {
      const deadline = Date.now() + 60_000;
      // the apply layer's closes pass the governor's gates, so some of its permits are consumed
      const ready = /proposals [1-9]\d* .*\| permits [1-9]\d* .*\| apply_layer: plans \d+ .*permits consumed [1-9]\d* .*\| intent_bridge: plans [1-9]\d* /;
      while (!ready.test(output) && Date.now() < deadline && child.exitCode === null) await new Promise((r) => setTimeout(r, 200));
      expect(output).toMatch(ready);
      const line = output.split('\n').find((l) => ready.test(l)) ?? '';
      expect(line).toMatch(/intent_bridge: plans \d+ \(EXECUTE \d+\), permits consumed \d+ \(avg \d+ ms, max \d+ ms\), blocked \d+, timed out \d+/);
      // opens carry no price: the governor prices them with the simulator's market feed
      expect(output).not.toMatch(/notional_unknown/);
      expect(output).toContain(`logs: ${logDir}`);
      expect(output).toMatch(/allocation-target: http:\/\/127\.0\.0\.1:\d+\/metrics/);
      expect(output).toMatch(/governor: +http:\/\/127\.0\.0\.1:\d+\/metrics/);
      const pids = (/pids: ([\d ]+)/.exec(output)?.[1] ?? '').trim().split(' ').map(Number);
      expect(pids).toHaveLength(3); // two services and the simulator (Redis is the test's)
      expect(pids.every(alive)).toBe(true);

      process.kill(-(child.pid as number), 'SIGINT');
      const code = await exited;
      expect(code).toBe(0);
      expect(output).toContain('all stopped');
      expect(output).toMatch(/stopped governor \(0\)/);
      expect(output).toMatch(/stopped allocation-target \(0\)/);
      expect(pids.filter(alive)).toEqual([]);
      expect(existsSync(join(logDir, 'governor.log'))).toBe(true);
    } finally {
      if (child.exitCode === null) {
        try {
          process.kill(-(child.pid as number), 'SIGKILL');
        } catch {
          // already gone
        }
      }
      if (!output.includes('all stopped')) process.stderr.write(output);
    }
  }, 120_000);
});

// ---------------------------------------------------------------- nothing left behind

/** Set in the environment of a test's stack and inherited by all of it (but redis-server: see stackProcesses). */
const MARKER_ENV = 'QUANTUM_START_TEST_MARKER';
const STACK = [/^(redis|valkey)-server /, /apps\/allocation-target\/dist\/main\.js/, /apps\/governor\/dist\/main\.js/, /tools\/ctl\/src\/main\.ts simulate/];

interface StackProcess {
  pid: number;
  ppid: number;
  pgid: number;
  cmd: string;
}

interface Launched {
  child: ChildProcess;
  /** The supervisor's pid, and its process group's. */
  pid: number;
  marker: string;
  /** The orchestrator's process group (its pid), once seen. */
  group: number | undefined;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/**
 * The live processes of a test's stack: those with its marker in their environment, and the
 * members of the orchestrator's process group (redis-server overwrites its environment with its
 * process title, so the marker cannot be seen there). A zombie is dead already: left out (this
 * machine's init may never reap the orphans).
 */
function stackProcesses(run: Launched): StackProcess[] {
  const found: StackProcess[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const [state, ppid, pgid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (state === 'Z') continue;
      const marked = readFileSync(`/proc/${entry}/environ`, 'utf8').split('\0').includes(`${MARKER_ENV}=${run.marker}`);
      if (!marked && Number(pgid) !== run.group) continue;
      const cmd = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0').join(' ').trim();
      found.push({ pid: Number(entry), ppid: Number(ppid), pgid: Number(pgid), cmd });
    } catch {
      // gone meanwhile, or not ours to read
    }
  }
  return found;
}

/**
 * Notes the orchestrator's process group: the copy of the start script the supervisor started
 * (not any child of it: tsx in the supervisor may run an esbuild service process as well).
 */
function learnGroup(run: Launched): void {
  run.group ??= stackProcesses(run).find((p) => p.ppid === run.pid && p.cmd.includes('tools/ctl/src/start/main.ts'))?.pgid;
  if (run.group === undefined) throw new Error(`no orchestrator under the supervisor (pid ${run.pid})`);
}

/**
 * The supervisor exactly as `npm start` execs it (node itself, not npm, so that `pid` is the
 * supervisor), in a process group of its own as in a terminal, with its own redis-server
 * (REDIS_URL unset: never a Redis at 6379) and stdout and stderr piped to the test.
 */
function launch(): Launched {
  const marker = randomUUID();
  const env: NodeJS.ProcessEnv = { ...process.env, NO_COLOR: '1', [MARKER_ENV]: marker };
  delete env['REDIS_URL'];
  const logDir = mkdtempSync(join(tmpdir(), 'start-test-'));
  const child = spawn(process.execPath, [
    '--conditions=@quantum/source', '--import', 'tsx', join(ROOT, 'tools/ctl/src/start/main.ts'),
    '--no-build', '--summary-every', '0.5', '--loop-interval', '1', '--plans-per-sec', '20', '--log-dir', logDir,
  ], { cwd: ROOT, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout?.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolveExit) =>
    child.once('exit', (code, signal) => resolveExit({ code, signal })));
  return { child, pid: child.pid as number, marker, group: undefined, stdout: () => stdout, stderr: () => stderr, exited };
}

async function printed(run: Launched, text: string): Promise<void> {
  await waitFor(JSON.stringify(text), async () => {
    if (run.child.exitCode !== null) throw new Error(`exited ${run.child.exitCode}:\n${run.stdout()}\n${run.stderr()}`);
    return run.stdout().includes(text);
  }, 60_000);
}

/** Waits until the stack is up, and checks that all of it is alive: supervisor, orchestrator, Redis, services, simulator. */
async function running(run: Launched): Promise<StackProcess[]> {
  await printed(run, 'running; Ctrl-C to stop');
  learnGroup(run);
  const processes = stackProcesses(run);
  for (const kind of STACK) expect(processes.map((p) => p.cmd)).toContainEqual(expect.stringMatching(kind));
  // the supervisor, the orchestrator and the stack (tsx's esbuild service processes aside)
  expect(processes.filter((p) => !/esbuild --service/.test(p.cmd))).toHaveLength(STACK.length + 2);
  return processes;
}

async function exitWithin(run: Launched, timeoutMs: number): Promise<{ code: number | null; signal: NodeJS.Signals | null }> {
  await waitFor('the supervisor to exit', async () => run.child.exitCode !== null || run.child.signalCode !== null, timeoutMs)
    .catch((error: Error) => {
      throw new Error(`${error.message}:\n${run.stdout()}\n${run.stderr()}`);
    });
  return run.exited;
}

/** What is still alive of the stack once none of it is (bounded wait), else what is. */
async function leftAlive(run: Launched, timeoutMs: number): Promise<StackProcess[]> {
  return waitFor('no process of the stack alive', async () => stackProcesses(run).length === 0, timeoutMs)
    .then(() => [], () => stackProcesses(run));
}

/** What a failed test left behind goes, so that it does not outlive the test run. */
function killStack(run: Launched): void {
  for (const { pid } of stackProcesses(run)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // gone meanwhile
    }
  }
}

/**
 * `npm start` must never leave a process behind, whatever happens to its terminal or its output
 * pipe. /proc tells which processes of a test's stack are still alive (Linux only).
 */
(process.platform === 'linux' ? describe : describe.skip)('npm start leaves nothing behind', () => {
  const launched: Launched[] = [];
  const start = () => {
    const run = launch();
    launched.push(run);
    return run;
  };

  beforeAll(() => {
    if (!redisServerAvailable()) throw new Error('these tests need redis-server on PATH (Debian: apt-get install -y redis-server)');
    buildUnlessBuilt();
  }, 240_000);
  afterEach(() => {
    for (const run of launched.splice(0)) killStack(run);
  });

  it.each(['SIGINT', 'SIGTERM', 'SIGHUP'] as const)('`npm start | tee`, the reader gone, then %s: stops everything, exit 0, no crash on the closed pipe', async (signal) => {
    const run = start();
    await running(run);
    run.child.stdout?.destroy(); // the reader goes away: tee ended by the same Ctrl-C, or the terminal closed
    process.kill(-run.pid, signal);
    const { code } = await exitWithin(run, 60_000);
    expect(stackProcesses(run)).toEqual([]); // gone by the time the supervisor exits
    expect(code).toBe(0);
    expect(run.stderr()).not.toMatch(/EPIPE|Error/);
  }, 120_000);

  it('`npm start | head -1`: the reader gone during the start-up, the stack stops by itself (exit 0, nothing left)', async () => {
    const run = start();
    await printed(run, '\n');
    learnGroup(run);
    run.child.stdout?.destroy();
    const { code } = await exitWithin(run, 60_000);
    expect(stackProcesses(run)).toEqual([]);
    expect(code).toBe(0);
    expect(run.stderr()).not.toMatch(/EPIPE|Error/);
  }, 120_000);

  it('the supervisor SIGKILLed: the orchestrator notices and stops the stack in order', async () => {
    const run = start();
    await running(run);
    process.kill(run.pid, 'SIGKILL');
    expect(await leftAlive(run, 30_000)).toEqual([]);
    // the orchestrator writes to the test's pipe still: the stop was the ordered one, not a kill
    await waitFor('all stopped', async () => run.stdout().includes('all stopped'), 5_000);
    expect(run.stdout()).toMatch(/stopped governor \(0\)/);
    expect(run.stdout()).toMatch(/stopped allocation-target \(0\)/);
    expect(run.stdout()).toContain('stopped redis-server');
  }, 120_000);

  it('the orchestrator SIGKILLed, as in a crash: the supervisor ends what it left, then exits non-zero', async () => {
    const run = start();
    const stack = await running(run);
    const orchestrator = stack.find((p) => p.ppid === run.pid);
    expect(orchestrator?.cmd).toMatch(/tools\/ctl\/src\/start\/main\.ts/);
    process.kill(orchestrator?.pid as number, 'SIGKILL');
    const { code } = await exitWithin(run, 60_000);
    expect(code).not.toBe(0);
    expect(stackProcesses(run)).toEqual([]);
  }, 120_000);
});
