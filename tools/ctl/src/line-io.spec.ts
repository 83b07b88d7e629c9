import { PassThrough, Readable, Writable } from 'node:stream';
import { BufferedWriter, readLines } from './line-io';
import { runEvaluate } from './commands/evaluate';
import { dispatch } from './main';
import { Command } from './command';

async function collect(chunks: string[]): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of readLines(Readable.from(chunks.map((c) => Buffer.from(c))))) lines.push(line);
  return lines;
}

describe('readLines', () => {
  it('splits across chunk boundaries, drops CR, keeps a last line without newline', async () => {
    expect(await collect(['a\nb', 'c\r\n', '\nd', 'e'])).toEqual(['a', 'bc', '', 'de']);
    expect(await collect(['x\n'])).toEqual(['x']);
    expect(await collect([])).toEqual([]);
  });

  it('decodes multi-byte characters split between chunks', async () => {
    const bytes = Buffer.from('ü\n');
    const lines: string[] = [];
    for await (const line of readLines(Readable.from([bytes.subarray(0, 1), bytes.subarray(1)]))) lines.push(line);
    expect(lines).toEqual(['ü']);
  });
});

describe('BufferedWriter', () => {
  it('buffers, flushes at the high-water mark and waits for drain', async () => {
    const writes: string[] = [];
    const out = new Writable({
      highWaterMark: 4,
      write(chunk: Buffer, _enc, cb) {
        writes.push(chunk.toString());
        setImmediate(cb);
      },
    });
    const w = new BufferedWriter(out, 8);
    expect(w.write('abc')).toBeUndefined();
    const pending = w.write('defghi');
    expect(pending).toBeInstanceOf(Promise);
    await pending;
    await w.write('z');
    await w.end();
    expect(writes.join('')).toBe('abcdefghiz');
    expect(writes[0]).toBe('abcdefghi');
  });

  it('rejects when the stream fails while waiting for drain', async () => {
    const out = new Writable({ highWaterMark: 1, write: (_c, _e, cb) => setImmediate(() => cb(new Error('boom'))) });
    out.on('error', () => undefined);
    const w = new BufferedWriter(out, 1);
    await expect(w.write('abc')).rejects.toThrow('boom');
  });
});

describe('runEvaluate (in process)', () => {
  it('writes results and resolves to the exit code', async () => {
    const output = new PassThrough();
    let text = '';
    output.on('data', (d: Buffer) => (text += d.toString()));
    const code = await runEvaluate(Readable.from(['{"id":"p","kind":"permit","now":1,"efficiency":null}\n', '\n', 'x\n']), output);
    expect(code).toBe(1);
    expect(text).toBe('{"id":"p","eff_reason":"missing_eff","eff_action":"NONE","eff_factor":1,"extra_cooldown_sec":0,"eff_stale":false}\n{"id":null,"error":"invalid JSON: Unexpected token \'x\', \\"x\\" is not valid JSON"}\n');
  });

  it('stops quietly when the reader goes away (EPIPE)', async () => {
    const output = new Writable({
      write: (_c, _e, cb) => {
        const err = Object.assign(new Error('write EPIPE'), { code: 'EPIPE' });
        cb(err);
      },
    });
    const input = Readable.from(
      (function* () {
        for (let i = 0; i < 5000; i++) yield `{"id":"p${i}","kind":"permit","now":1,"efficiency":null}\n`;
      })(),
    );
    await expect(runEvaluate(input, output)).resolves.toBe(0);
  });

  it('other output errors are thrown', async () => {
    const output = new Writable({ write: (_c, _e, cb) => cb(Object.assign(new Error('disk full'), { code: 'ENOSPC' })) });
    const input = Readable.from(['{"id":"p","kind":"permit","now":1,"efficiency":null}\n']);
    await expect(runEvaluate(input, output)).rejects.toThrow('disk full');
  });
});

describe('dispatch', () => {
  const calls: string[][] = [];
  const fake: Command = { name: 'fake', summary: 'a fake', usage: 'usage: fake', run: async (argv) => (calls.push([...argv]), 7) };

  it('runs a registered command with its arguments', async () => {
    expect(await dispatch(['fake', 'a', 'b'], [fake])).toBe(7);
    expect(calls).toEqual([['a', 'b']]);
  });

  it('prints command help', async () => {
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation(() => true);
    try {
      expect(await dispatch(['fake', '-h'], [fake])).toBe(0);
      expect(await dispatch(['help'], [fake])).toBe(0);
      expect(spy.mock.calls.map((c) => String(c[0]))).toEqual(['usage: fake\n', expect.stringContaining('fake  a fake')]);
    } finally {
      spy.mockRestore();
    }
  });
});
