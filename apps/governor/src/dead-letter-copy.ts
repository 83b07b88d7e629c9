import type { StreamEntry } from '@quantum/redis-streams';

/** Most fields (names and values, so half as many pairs) a dead letter copies of its entry. */
export const DLQ_MAX_FIELDS = 128;
/** Longest field name or value, in UTF-8 bytes, a dead letter copies whole; longer ones are cut. */
export const DLQ_MAX_VALUE_BYTES = 1024;

/**
 * The fields of `entry` as its dead letter copies them: all of them when the entry is small;
 * otherwise its first {@link DLQ_MAX_FIELDS} fields, each name and value cut to
 * {@link DLQ_MAX_VALUE_BYTES} bytes, followed by `dlq_original_fields` (name/value pairs in the
 * entry) and `dlq_original_bytes` (their UTF-8 bytes), so the copy says what it left out. A
 * malformed entry of any size thus costs the dead-letter stream about 130 KiB at most, and the
 * decide script's argument list stays short.
 */
export function deadLetterCopy(entry: StreamEntry): string[] {
  const fields = entry.fields;
  const cutSizes = new Map<number, number>();
  for (const c of entry.cut ?? []) cutSizes.set(c.index, c.bytes);
  const even = fields.length - (fields.length % 2);
  const copied = Math.min(even, DLQ_MAX_FIELDS);
  const copy: string[] = new Array(copied);
  let shortened = copied < fields.length || cutSizes.size > 0;
  for (let k = 0; k < copied; k++) {
    const text = fields[k]!;
    // a UTF-16 code unit is at most 3 UTF-8 bytes: the exact size is needed only for long texts
    if (3 * text.length <= DLQ_MAX_VALUE_BYTES || Buffer.byteLength(text) <= DLQ_MAX_VALUE_BYTES) {
      copy[k] = text;
    } else {
      copy[k] = cutUtf8(text, DLQ_MAX_VALUE_BYTES);
      shortened = true;
    }
  }
  if (!shortened) return copy;
  let bytes = 0;
  for (let k = 0; k < fields.length; k++) bytes += cutSizes.get(k) ?? Buffer.byteLength(fields[k]!);
  copy.push('dlq_original_fields', String(Math.ceil(fields.length / 2)), 'dlq_original_bytes', String(bytes));
  return copy;
}

/** The longest beginning of `text` of at most `maxBytes` UTF-8 bytes that ends on a whole character. */
function cutUtf8(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text.slice(0, maxBytes), 'utf8');
  if (bytes.length <= maxBytes) return text.slice(0, maxBytes);
  let end = maxBytes;
  // step back over continuation bytes (10xxxxxx) to the start of the cut character
  while (end > 0 && (bytes[end]! & 0xc0) === 0x80) end--;
  return bytes.subarray(0, end).toString('utf8');
}
