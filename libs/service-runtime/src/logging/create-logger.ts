import type { Writable } from 'node:stream';
import winston from 'winston';
import { redactUrlCredentials, redactValue, serializeError } from './redact';

export type Logger = winston.Logger;

export interface LoggerOptions {
  /** `service` field of every record, e.g. `governor`. */
  readonly service: string;
  /** `LOG_LEVEL`: error, warn, info (default), debug. */
  readonly level?: string;
  /** Where to write; default stdout. */
  readonly stream?: Writable;
}

const WINSTON_KEYS = new Set(['level', 'message', 'service', 'timestamp', 'stack']);

/**
 * A winston logger writing one JSON object per line: `time` (ISO 8601), `level`, `service`,
 * `msg`, then the metadata. An `Error` anywhere in the metadata (conventionally `error`) becomes
 * `{ name, message, stack }`; `logger.error(err)` gives `msg` = its message and `error` = it.
 * Keys named like password/secret/token are `[redacted]`, URL passwords are masked.
 */
export function createLogger(options: LoggerOptions): Logger {
  return winston.createLogger({
    level: options.level ?? 'info',
    levels: winston.config.npm.levels,
    format: winston.format((info) => toRecord(info, options.service))(),
    transports: [
      options.stream
        ? new winston.transports.Stream({ stream: options.stream })
        : new winston.transports.Console(),
    ],
  });
}

function toRecord(info: winston.Logform.TransformableInfo, service: string): winston.Logform.TransformableInfo {
  const record: Record<string, unknown> = { time: new Date().toISOString(), level: info.level, service };
  let message = info.message;
  const metadata: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(info)) if (!WINSTON_KEYS.has(key)) metadata[key] = value;
  if (info instanceof Error || (message instanceof Error)) {
    const error = info instanceof Error ? info : (message as Error);
    message = error.message;
    metadata['error'] = serializeError(error);
  } else if (typeof info['stack'] === 'string' && metadata['error'] === undefined) {
    // `logger.warn('text', err)`: winston appended err.message to the message and kept its stack.
    const stack = info['stack'];
    const firstLine = stack.split('\n', 1)[0] ?? '';
    const colon = firstLine.indexOf(': ');
    metadata['error'] = redactValue({
      name: colon > 0 ? firstLine.slice(0, colon) : 'Error',
      message: colon > 0 ? firstLine.slice(colon + 2) : firstLine,
      stack,
    });
  }
  record['msg'] = redactUrlCredentials(String(message ?? ''));
  Object.assign(record, redactValue(metadata));
  const out = info as unknown as Record<string | symbol, unknown>;
  out[Symbol.for('message')] = JSON.stringify(record);
  return info;
}
