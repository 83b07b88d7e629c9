/** Longest piece of a stored value or an error message that a log line or a /readyz reason carries. */
export const MAX_QUOTED_CHARS = 300;

/**
 * `text` itself when short; else its first `max` characters and how long it was. Log lines and
 * readiness reasons quote what Redis holds (a target_usd, an error naming a value), which can be
 * of any size: a line must stay readable and cheap whatever is stored.
 */
export function boundedText(text: string, max = MAX_QUOTED_CHARS): string {
  if (text.length <= max) return text;
  // never cut a surrogate pair in half (the line would carry a lone surrogate)
  const end = isHighSurrogate(text.charCodeAt(max - 1)) ? max - 1 : max;
  return `${text.slice(0, end)}... (${text.length} characters)`;
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}
