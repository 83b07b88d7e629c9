/** Shown instead of a redacted value. */
export const REDACTED = '[redacted]';

/** Keys whose values are never logged (password, secret, token, credentials, auth, api keys). */
export const SENSITIVE_KEY = /password|passwd|^pass$|secret|token|credential|^auth|api[-_]?key/i;

// The password runs to the last `@` of the whitespace-delimited token: an unencoded password may
// contain `/`, `@`, `#` or `?`, so stopping at the first of those would print the rest of it.
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/@:]*):(\S*)@(?=[^\s@]*(?:\s|$))/gi;

/** Masks the password of every `scheme://user:password@` in the text (the user is kept). */
export function redactUrlCredentials(text: string): string {
  return text.replace(URL_CREDENTIALS, (_match, scheme: string, user: string) => `${scheme}${user}:***@`);
}

/**
 * A copy of the value with sensitive keys replaced by `[redacted]`, URL passwords in strings
 * masked and errors turned into `{ name, message, stack }` (masked too). Cycles become `[cycle]`.
 */
export function redactValue(value: unknown, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactUrlCredentials(value);
  if (value instanceof Error) return serializeError(value);
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Date) return value.toISOString();
  if (seen.has(value)) return '[cycle]';
  seen.add(value);
  if (Array.isArray(value)) return value.map((item) => redactValue(item, seen));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = SENSITIVE_KEY.test(key) ? REDACTED : redactValue(item, seen);
  return copy;
}

/** `{ name, message, stack }` of an error (plus `code` and `cause` when present), credentials masked. */
export function serializeError(error: Error): Record<string, unknown> {
  const serialized: Record<string, unknown> = {
    name: error.name,
    message: redactUrlCredentials(error.message),
    stack: error.stack === undefined ? undefined : redactUrlCredentials(error.stack),
  };
  const code = (error as NodeJS.ErrnoException).code;
  if (code !== undefined) serialized['code'] = code;
  if (error.cause instanceof Error) serialized['cause'] = serializeError(error.cause);
  return serialized;
}
