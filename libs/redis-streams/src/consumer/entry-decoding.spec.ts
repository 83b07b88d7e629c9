import { CUT_VALUE_KEEP_BYTES, decodeEntries, type BufferEntry } from './entry-decoding';

const b = (s: string) => Buffer.from(s);

describe('decodeEntries', () => {
  it('decodes ids, names and values as UTF-8 strings, with the delivery count per id', () => {
    const raw: BufferEntry[] = [[b('1-0'), [b('plan_id'), b('p1'), b('sym'), b('ÄÖ')]], [b('2-0'), [b('k'), b('')]]];
    expect(decodeEntries(raw, (id) => (id === '1-0' ? 3 : 1), 100)).toEqual([
      { id: '1-0', fields: ['plan_id', 'p1', 'sym', 'ÄÖ'], deliveryCount: 3 },
      { id: '2-0', fields: ['k', ''], deliveryCount: 1 },
    ]);
  });

  it('leaves out deleted entries (fields null)', () => {
    expect(decodeEntries([[b('1-0'), null]], () => 1, 100)).toEqual([]);
  });

  it('cuts a value or name above the limit to its beginning and records its size; exactly the limit is whole', () => {
    const big = Buffer.alloc(5000, 'x');
    const raw: BufferEntry[] = [[b('1-0'), [b('blob'), big, Buffer.alloc(1000, 'n'), b('v'), b('ok'), Buffer.alloc(1000, 'y')]]];
    const [e] = decodeEntries(raw, () => 1, 1000);
    expect(e!.cut).toEqual([{ index: 1, bytes: 5000 }]);
    expect(e!.fields[1]).toBe('x'.repeat(CUT_VALUE_KEEP_BYTES));
    expect(e!.fields[2]).toBe('n'.repeat(1000));
    expect(e!.fields[5]).toBe('y'.repeat(1000));
  });
});
