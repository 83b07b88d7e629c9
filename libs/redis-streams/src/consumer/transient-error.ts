/**
 * Redis refusals and connection failures that say nothing about the entry being handled: Redis
 * out of memory, a replica or a server still loading, a busy script, a lost or hung connection.
 * An entry that failed with one of these is retried without counting a delivery against it.
 */
const TRANSIENT_REPLY = /^(OOM|READONLY|BUSY|LOADING|MASTERDOWN|NOREPLICAS|TRYAGAIN|CLUSTERDOWN|MISCONF)\b/;
const TRANSIENT_CLIENT =
  /Connection is closed|Stream isn't writeable|Command timed out|Reached the max retries per request|ECONNRESET|ECONNREFUSED|ECONNABORTED|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENETUNREACH|socket hang up/;
const TRANSIENT_CODES = new Set(['ECONNRESET', 'ECONNREFUSED', 'ECONNABORTED', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH']);

/** Whether `error` is Redis being unwell rather than something the entry caused. */
export function isTransientRedisError(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  const code = (error as Error & { code?: unknown }).code;
  if (typeof code === 'string' && TRANSIENT_CODES.has(code)) return true;
  if (error.name === 'MaxRetriesPerRequestError') return true;
  // a script's error reply carries the command's error after the script's own prefix
  const message = error.message.replace(/^ERR (Error running script|user_script)[^:]*:\s*/, '');
  return TRANSIENT_REPLY.test(message) || TRANSIENT_REPLY.test(error.message) || TRANSIENT_CLIENT.test(error.message);
}
