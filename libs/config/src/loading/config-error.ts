import type { ConfigProblem } from '../catalogue/types';

/** Every problem found in the configuration at start; the service must not start. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';

  constructor(readonly problems: readonly ConfigProblem[]) {
    super(`invalid configuration (${problems.length} problem${problems.length === 1 ? '' : 's'}):\n${problems.map((p) => `  ${p.message}`).join('\n')}`);
  }
}
