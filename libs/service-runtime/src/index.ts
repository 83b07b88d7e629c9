export * from './logging/redact';
export * from './logging/redacted-config';
export * from './logging/create-logger';
export * from './logging/bounded-text';
export * from './shutdown/on-shutdown-signal';
export * from './shutdown/settles-within';
