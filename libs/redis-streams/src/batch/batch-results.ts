/** The outcome of one item of a pipelined batch: its value or its own error. */
export type BatchItemResult<T> =
  | { readonly ok: true; readonly value: T }
  | { readonly ok: false; readonly error: Error };

/** A pipeline as a whole could not be executed (the connection failed before any reply). */
export class RedisBatchError extends Error {
  override readonly name = 'RedisBatchError';
  constructor(
    message: string,
    override readonly cause: unknown,
  ) {
    super(message);
  }
}

/** Turns ioredis' `[error, result]` pairs into results, one per item; a missing pair is an error. */
export function toBatchResults<T>(replies: [Error | null, unknown][] | null, size: number, what: string): BatchItemResult<T>[] {
  if (!replies) throw new RedisBatchError(`${what}: pipeline returned no replies`, undefined);
  const results: BatchItemResult<T>[] = [];
  for (let index = 0; index < size; index += 1) {
    const reply = replies[index];
    if (!reply) results.push({ ok: false, error: new Error(`${what}: no reply for item ${index}`) });
    else if (reply[0]) results.push({ ok: false, error: reply[0] });
    else results.push({ ok: true, value: reply[1] as T });
  }
  return results;
}
