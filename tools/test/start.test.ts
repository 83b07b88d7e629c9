import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startThrowawayRedis, type ThrowawayRedis } from '@quantum/redis-streams/testing';

const ROOT = resolve(__dirname, '../..');
const DISTS = ['allocation-target', 'governor'].map((app) => join(ROOT, 'apps', app, 'dist', 'main.js'));

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
    if (DISTS.some((d) => !existsSync(d))) {
      const build = spawnSync('npx', ['nx', 'run-many', '-t', 'build', '-p', '@quantum/allocation-target', '@quantum/governor'], { cwd: ROOT, stdio: 'ignore' });
      if (build.status !== 0) throw new Error('building the services failed');
    }
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
