import type { CutValue, StreamEntry } from './types';

/** A stream entry as Redis sent it, every bulk string a Buffer (fields null: deleted entry). */
export type BufferEntry = [id: Buffer, fields: Buffer[] | null];

/** How much of a cut value is kept, so a dead letter still shows what it was. */
export const CUT_VALUE_KEEP_BYTES = 256;

/**
 * Decodes entries read as Buffers into strings, except that a field name or value longer than
 * `maxValueBytes` is never made a string whole: it is cut to its first {@link CUT_VALUE_KEEP_BYTES}
 * bytes and listed in the entry's `cut` with its size. A string of hundreds of megabytes would
 * stop the process (V8 cannot hold it) and bring the entry back on every delivery; a Buffer of it
 * is only held until this returns.
 */
export function decodeEntries(raw: readonly BufferEntry[], count: (id: string) => number, maxValueBytes: number): StreamEntry[] {
  const entries: StreamEntry[] = [];
  for (let i = 0; i < raw.length; i++) {
    const [rawId, rawFields] = raw[i]!;
    if (rawFields === null) continue;
    const id = rawId.toString();
    const fields: string[] = new Array(rawFields.length);
    let cut: CutValue[] | undefined;
    for (let k = 0; k < rawFields.length; k++) {
      const b = rawFields[k]!;
      if (b.length <= maxValueBytes) {
        fields[k] = b.toString();
      } else {
        fields[k] = b.subarray(0, CUT_VALUE_KEEP_BYTES).toString();
        (cut ??= []).push({ index: k, bytes: b.length });
      }
    }
    entries.push(cut ? { id, fields, deliveryCount: count(id), cut } : { id, fields, deliveryCount: count(id) });
  }
  return entries;
}
