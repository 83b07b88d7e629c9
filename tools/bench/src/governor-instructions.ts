/**
 * Redis's work per plan for the governor, counted in instructions under callgrind instead of
 * timed: this VM's speed drifts by a third within minutes, more than most changes of code, while
 * the count of the same code repeats within about 0.5 %: the comparison to make between
 * versions of the decide and read scripts (results in docs/journal.md).
 *
 *   npm run bench:instructions -- [bundle.js ...]     (default: this tree's governor bundle)
 *
 * For each bundle: a fresh `redis-server` under `valgrind --tool=callgrind`, the bench's shape
 * (1000 efficiency hashes, PLANS EXECUTE plans over 1000 symbols written before the governor
 * starts, limits set so that every plan gets a permit, batch 500), counters zeroed
 * (`callgrind_control -z`) once the plans are written, the governor started and run until the
 * group has no lag and nothing pending, counters dumped (`callgrind_control -d`). Instructions per
 * plan = the dump's total / plans; it includes the governor's start (connections, SCRIPT LOAD),
 * a few hundred thousand instructions, under 0.2 % at the default 20 000 plans. Needs valgrind
 * (Debian: apt-get install -y valgrind). PLANS=n sets the count; APPENDFSYNC=everysec (or always,
 * no) runs Redis with an append-only file and that fsync policy, as production keeps the decisions.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import Redis from 'ioredis';
import { waitForReady } from '@quantum/redis-streams';
import { findFreePort } from '@quantum/redis-streams/testing';
import { groupDone } from './fixed-load';
import { EVENTS, seedEfficiency, sleep, startGovernor, writePlans } from './governor.bench';
import { serviceBundle } from './service-bundle';

export interface InstructionCount {
  readonly main: string;
  readonly plans: number;
  /** Events in the audit stream afterwards: one per plan, or the count is not of the whole work. */
  readonly decisions: number;
  readonly instructions: number;
  readonly perPlan: number;
}

/** The total of a callgrind dump (its `summary:` line, or `totals:` in older formats). */
export function callgrindTotal(dump: string): number {
  const line = /^(?:summary|totals): (\d+)/m.exec(dump);
  if (!line) throw new Error('callgrind dump has no summary or totals line');
  return Number(line[1]);
}

function callgrindControl(flag: '-z' | '-d', pid: number): void {
  const run = spawnSync('callgrind_control', [flag, String(pid)], { encoding: 'utf8' });
  if (run.status !== 0) throw new Error(`callgrind_control ${flag} ${pid} exited ${run.status}: ${run.stderr || run.stdout}`);
}

/** A client once Redis under valgrind (seconds to start) answers; fails at once when it exited instead. */
async function connectWhenUp(port: number, exited: Promise<void>): Promise<Redis> {
  const redis = new Redis({ port, retryStrategy: () => 250 });
  // refused connections until the server listens; ioredis retries them itself
  redis.on('error', () => undefined);
  try {
    await Promise.race([
      waitForReady(redis, 60_000),
      exited.then(() => Promise.reject(new Error('redis-server under valgrind exited before it answered'))),
    ]);
    return redis;
  } catch (error) {
    redis.disconnect();
    throw error;
  }
}

export type AppendFsync = 'always' | 'everysec' | 'no';

/**
 * Counts Redis's instructions while the governor bundle `main` decides `plans` plans; with
 * `appendFsync`, Redis keeps an append-only file with that fsync policy (the fsyncs themselves are
 * kernel work, not counted).
 */
export async function countGovernorInstructions(main: string, plans = 20_000, appendFsync?: AppendFsync): Promise<InstructionCount> {
  if (spawnSync('valgrind', ['--version']).status !== 0) throw new Error('valgrind not found (Debian: apt-get install -y valgrind)');
  const dir = mkdtempSync(join(tmpdir(), 'governor-callgrind-'));
  const port = await findFreePort();
  const server = spawn(
    'valgrind',
    ['--tool=callgrind', `--callgrind-out-file=${join(dir, 'callgrind.out')}`, 'redis-server', '--port', String(port), '--bind', '127.0.0.1', '--save', '', ...(appendFsync ? ['--appendonly', 'yes', '--appendfsync', appendFsync] : ['--appendonly', 'no']), '--dir', dir],
    { stdio: 'ignore' },
  );
  const exited = new Promise<void>((r) => server.once('exit', () => r()));
  const pid = server.pid;
  let redis: Redis | undefined;
  try {
    if (pid === undefined) throw new Error('valgrind did not start');
    redis = await connectWhenUp(port, exited);
    await seedEfficiency(redis);
    await writePlans(redis, plans);
    callgrindControl('-z', pid);
    const governor = await startGovernor(main, `redis://127.0.0.1:${port}`, 500);
    try {
      while (!(await groupDone(redis))) await sleep(250);
      callgrindControl('-d', pid);
    } finally {
      await governor.stop();
    }
    const decisions = await redis.xlen(EVENTS);
    const dumps = readdirSync(dir).filter((f) => /^callgrind\.out\.\d+$/.test(f));
    const [dump, ...others] = dumps;
    if (dump === undefined || others.length > 0) throw new Error(`expected one callgrind dump in ${dir}, found ${dumps.length}`);
    const instructions = callgrindTotal(readFileSync(join(dir, dump), 'utf8'));
    return { main, plans, decisions, instructions, perPlan: instructions / plans };
  } finally {
    redis?.disconnect();
    server.kill('SIGKILL');
    await exited;
    rmSync(dir, { recursive: true, force: true });
  }
}

export function formatInstructionCounts(counts: readonly InstructionCount[], cwd = process.cwd(), appendFsync?: AppendFsync): string {
  const first = counts[0];
  const lines = counts.map((c) => {
    const change = c === first || !first ? '' : `  ${(((c.perPlan - first.perPlan) / first.perPlan) * 100).toFixed(1)} % vs the first`;
    const incomplete = c.decisions === c.plans ? '' : `  (${c.decisions} decisions for ${c.plans} plans: not comparable)`;
    return `${relative(cwd, c.main).padEnd(40)} ${Math.round(c.perPlan).toLocaleString('en-US').padStart(9)} instructions/plan${change}${incomplete}`;
  });
  const plans = first?.plans ?? 0;
  const persistence = appendFsync ? `, append-only file with appendfsync ${appendFsync}` : ', no persistence';
  return [`governor: Redis instructions per plan under callgrind (${plans} EXECUTE plans over 1000 symbols, batch 500, every plan a permit${persistence})`, ...lines].join('\n');
}

async function main(argv: readonly string[]): Promise<number> {
  const bundles = argv.length > 0 ? argv.map((a) => resolve(a)) : [serviceBundle('governor')];
  const plans = Number(process.env['PLANS'] ?? 20_000);
  if (!Number.isInteger(plans) || plans <= 0) {
    console.error(`PLANS=${process.env['PLANS']} is not allowed: a whole number above 0`);
    return 2;
  }
  const fsync = process.env['APPENDFSYNC'] || undefined;
  if (fsync !== undefined && fsync !== 'always' && fsync !== 'everysec' && fsync !== 'no') {
    console.error(`APPENDFSYNC=${fsync} is not allowed: always, everysec or no (or unset for no append-only file)`);
    return 2;
  }
  const counts: InstructionCount[] = [];
  for (const bundle of bundles) counts.push(await countGovernorInstructions(bundle, plans, fsync));
  console.log(formatInstructionCounts(counts, process.cwd(), fsync));
  return counts.every((c) => c.decisions === c.plans) ? 0 : 1;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    },
  );
}
