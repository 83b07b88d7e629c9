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
