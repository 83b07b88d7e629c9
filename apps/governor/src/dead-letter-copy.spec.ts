import { deadLetterCopy, DLQ_MAX_FIELDS, DLQ_MAX_VALUE_BYTES } from './dead-letter-copy';

const entry = (fields: string[], cut?: { index: number; bytes: number }[]) => ({ id: '1-0', fields, deliveryCount: 1, ...(cut ? { cut } : {}) });

describe('deadLetterCopy', () => {
  it('copies a small entry whole, with nothing added', () => {
    const fields = ['plan_id', 'p1', 'symbol', 'BTCUSDT', 'qty', 'abc'];
    expect(deadLetterCopy(entry(fields))).toEqual(fields);
  });

  it('keeps the first fields of an entry with many, and records how many there were and their size', () => {
    const fields: string[] = [];
    for (let i = 0; i < 4000; i++) fields.push(`f${i}`, 'v');
    const copy = deadLetterCopy(entry(fields));
    expect(copy.slice(0, DLQ_MAX_FIELDS)).toEqual(fields.slice(0, DLQ_MAX_FIELDS));
    const bytes = fields.reduce((n, f) => n + Buffer.byteLength(f), 0);
    expect(copy.slice(DLQ_MAX_FIELDS)).toEqual(['dlq_original_fields', '4000', 'dlq_original_bytes', String(bytes)]);
  });

  it('cuts a long value on a character boundary and counts its whole size', () => {
    const long = 'é'.repeat(5000); // 10,000 bytes
    const copy = deadLetterCopy(entry(['plan_id', 'p1', 'note', long]));
    expect(Buffer.byteLength(copy[3]!)).toBeLessThanOrEqual(DLQ_MAX_VALUE_BYTES);
    expect(copy[3]).toBe('é'.repeat(DLQ_MAX_VALUE_BYTES / 2));
    const odd = deadLetterCopy(entry(['note', 'a' + 'é'.repeat(5000)]));
    expect(odd[1]).toBe('a' + 'é'.repeat((DLQ_MAX_VALUE_BYTES - 2) / 2));
    expect(copy.slice(4)).toEqual(['dlq_original_fields', '2', 'dlq_original_bytes', String(7 + 2 + 4 + 10_000)]);
  });

  it('counts a value the consumer cut by its size in Redis, not by what was kept of it', () => {
    const copy = deadLetterCopy(entry(['plan_id', 'p1', 'blob', 'x'.repeat(256)], [{ index: 3, bytes: 100_000_000 }]));
    expect(copy.slice(0, 4)).toEqual(['plan_id', 'p1', 'blob', 'x'.repeat(256)]);
    expect(copy.slice(4)).toEqual(['dlq_original_fields', '2', 'dlq_original_bytes', String(7 + 2 + 4 + 100_000_000)]);
  });

  it('copies pairs only: a dangling name is left out and counted', () => {
    const copy = deadLetterCopy(entry(['plan_id', 'p1', 'orphan']));
    expect(copy).toEqual(['plan_id', 'p1', 'dlq_original_fields', '2', 'dlq_original_bytes', String(7 + 2 + 6)]);
  });
});
