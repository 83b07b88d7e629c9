import { spawn } from 'node:child_process';
import { join } from 'node:path';

/** Runs the real command line (`node --conditions=@quantum/source --import tsx tools/ctl/src/main.ts ...`). */
const ROOT = join(__dirname, '..', '..', '..', '..');

function ctl(args: string[], stdin = ''): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--conditions=@quantum/source', '--import', 'tsx', 'tools/ctl/src/main.ts', ...args], { cwd: ROOT, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(stdin);
  });
}

const A1 = '{"id":"a1","kind":"allocation","now":1700000000,"target":{"target_usd":"1000"},"efficiency":{"efficiency_score":"0.2","confidence":"0.9","ts":"1699999990"}}';
const P1 = '{"id":"p1","kind":"permit","now":1700000000.25,"efficiency":null,"env":{"P31_DOWNSIZE_THRESHOLD":"0.5"}}';
const A1_OUT = '{"id":"a1","reason":"ok","multiplier":0.7,"proposed_target":700,"eff_stale":false}';
const P1_OUT = '{"id":"p1","eff_reason":"missing_eff","eff_action":"NONE","eff_factor":1,"extra_cooldown_sec":0,"eff_stale":false}';

jest.setTimeout(60_000);

describe('ctl evaluate (child process)', () => {
  it('evaluates the contract examples, exit 0', async () => {
    const r = await ctl(['evaluate'], `${A1}\n${P1}\n`);
    expect(r).toEqual({ code: 0, stdout: `${A1_OUT}\n${P1_OUT}\n`, stderr: '' });
  });

  it('reports bad lines, keeps going, keeps order, exit 1; skips blank lines; takes CRLF and a last line without newline', async () => {
    const input = [
      A1,
      '',
      'not json',
      '   ',
      '{"id":"x1","kind":"sell","now":1,"efficiency":null}',
      '{"id":"x2","kind":"permit","now":1,"efficiency":null,"env":{"P31_MIN_CONF":"0.65 # note"}}',
      P1 + '\r',
      '{"id":"x3","kind":"permit","now":1,"efficiency":null,"env":{"NOPE":"1"}}',
    ].join('\n');
    const r = await ctl(['evaluate'], input);
    expect(r.code).toBe(1);
    const lines = r.stdout.split('\n');
    expect(lines.pop()).toBe('');
    expect(lines).toHaveLength(6);
    expect(lines[0]).toBe(A1_OUT);
    expect(JSON.parse(lines[1])).toEqual({ id: null, error: expect.stringMatching(/^invalid JSON/) });
    expect(JSON.parse(lines[2])).toEqual({ id: 'x1', error: 'kind must be "allocation" or "permit"' });
    expect(JSON.parse(lines[3])).toEqual({
      id: 'x2',
      error: 'env: P31_MIN_CONF="0.65 # note" is not allowed: an inline comment after the value is not allowed (put comments on their own line); allowed: a decimal from 0 to 1',
    });
    expect(lines[4]).toBe(P1_OUT);
    expect(JSON.parse(lines[5])).toMatchObject({ id: 'x3', error: expect.stringMatching(/^env: unknown variable NOPE/) });
  });

  it('empty input → no output, exit 0', async () => {
    expect(await ctl(['evaluate'], '')).toEqual({ code: 0, stdout: '', stderr: '' });
  });

  it('streams many lines in order', async () => {
    const n = 20_000;
    const lines: string[] = [];
    for (let i = 0; i < n; i++) lines.push(`{"id":"p${i}","kind":"permit","now":1700000000,"efficiency":{"efficiency_score":"${(i % 100) / 100}","confidence":"0.9","ts":"1699999990"}}`);
    const r = await ctl(['evaluate'], lines.join('\n') + '\n');
    expect(r.code).toBe(0);
    const out = r.stdout.trimEnd().split('\n');
    expect(out).toHaveLength(n);
    expect(out.map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(lines.map((_, i) => `p${i}`));
  });

  it('evaluate --help shows an example; an argument is a usage error', async () => {
    const help = await ctl(['evaluate', '--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toContain('Example:');
    expect(help.stdout).toContain('"kind":"permit"');
    const bad = await ctl(['evaluate', 'file.jsonl']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toContain('unexpected argument "file.jsonl"');
  });
});

describe('ctl dispatcher (child process)', () => {
  it('--help lists the commands', async () => {
    const r = await ctl(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^usage: npm run --silent ctl -- <command>/);
    expect(r.stdout).toMatch(/\n {2}evaluate +what-if evaluation/);
  });

  it('unknown command → message and exit 2', async () => {
    const r = await ctl(['frobnicate']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('ctl: unknown command "frobnicate"');
    expect(r.stdout).toBe('');
  });

  it('no command → help on stderr, exit 2', async () => {
    const r = await ctl([]);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('commands:');
  });
});
