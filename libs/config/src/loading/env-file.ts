import { readFileSync } from 'node:fs';

/** A problem of the env file itself (cannot be read, a line that is not `KEY=VALUE`). */
export interface EnvFileProblem {
  /** 1-based; 0 when the file as a whole is the problem. */
  readonly line: number;
  readonly message: string;
}

export interface ParsedEnvFile {
  /** Variables in file order. */
  readonly values: Record<string, string>;
  /** The line each variable was set on. */
  readonly lines: Record<string, number>;
  readonly problems: EnvFileProblem[];
}

const KEY = /^[A-Za-z_][A-Za-z0-9_]*$/;

/**
 * Parses env-file text. Rules:
 * - one `KEY=VALUE` per line, optional `export ` before the key, spaces around the key ignored;
 * - blank lines and lines whose first non-blank character is `#` are ignored;
 * - the value is everything after the first `=`, verbatim: no inline comments (`0.65 # note`
 *   stays in the value, which the variable's parser then refuses with an explicit message) and
 *   no trimming (surrounding spaces are refused by the parser too, as in the environment);
 * - one pair of matching surrounding quotes (`"..."` or `'...'`) is removed, nothing inside is
 *   interpreted (no escapes, no `$VAR` expansion);
 * - a key set twice is a problem (which one was meant?); CRLF line ends are accepted.
 */
export function parseEnvFile(text: string): ParsedEnvFile {
  const values: Record<string, string> = {};
  const firstLine = new Map<string, number>();
  const problems: EnvFileProblem[] = [];
  const lines = text.split(/\r?\n/);
  lines.forEach((rawLine, index) => {
    const line = index + 1;
    const trimmed = rawLine.trim();
    if (trimmed === '' || trimmed.startsWith('#')) return;
    const equals = rawLine.indexOf('=');
    if (equals < 0) {
      problems.push({ line, message: 'expected KEY=VALUE (comments go on their own line, starting with #)' });
      return;
    }
    const key = rawLine.slice(0, equals).trim().replace(/^export\s+/, '');
    if (!KEY.test(key)) {
      problems.push({ line, message: `"${key.slice(0, 60)}" is not a variable name (letters, digits and _, not starting with a digit)` });
      return;
    }
    const previous = firstLine.get(key);
    if (previous !== undefined) {
      problems.push({ line, message: `${key} is already set on line ${previous}` });
      return;
    }
    firstLine.set(key, line);
    values[key] = unquote(rawLine.slice(equals + 1));
  });
  return { values, lines: Object.fromEntries(firstLine), problems };
}

function unquote(value: string): string {
  if (value.length >= 2 && (value[0] === '"' || value[0] === "'") && value.at(-1) === value[0]) return value.slice(1, -1);
  return value;
}

/** Reads and parses an env file; an unreadable file is one problem (line 0), not an exception. */
export function readEnvFile(path: string, read: (path: string) => string = (p) => readFileSync(p, 'utf8')): ParsedEnvFile {
  let text: string;
  try {
    text = read(path);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : (error as Error).message;
    return { values: {}, lines: {}, problems: [{ line: 0, message: `cannot read the env file: ${reason}` }] };
  }
  return parseEnvFile(text);
}

/** `--env-file <path>` or `--env-file=<path>` in argv, else `ENV_FILE`, else none. */
export function envFilePath(argv: readonly string[], env: Readonly<Record<string, string | undefined>>): string | undefined {
  for (let index = 0; index < argv.length; index += 1) {
    const arg = argv[index] as string;
    if (arg === '--env-file') return argv[index + 1] ?? '';
    if (arg.startsWith('--env-file=')) return arg.slice('--env-file='.length);
  }
  return env['ENV_FILE'] || undefined;
}
