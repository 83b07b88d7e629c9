/** The mask shown instead of a secret value. */
export const SECRET_MASK = '***';

/** One line: `NAME="value" is not allowed: <reason>; allowed: <allowed>`. */
export function problemMessage(name: string, shownValue: string, reason: string, allowed: string): string {
  return `${name}=${JSON.stringify(shownValue)} is not allowed: ${reason}; allowed: ${allowed}`;
}

/** Thrown by `VariableDefinition.parse` for a value that is not allowed. */
export class InvalidVariableError extends Error {
  override readonly name = 'InvalidVariableError';
  /** The value as given, or '***' for a secret. */
  readonly value: string;

  constructor(
    readonly variable: string,
    value: string,
    readonly reason: string,
    readonly allowed: string,
    secret: boolean,
  ) {
    const shown = secret ? SECRET_MASK : value;
    super(problemMessage(variable, shown, reason, allowed));
    this.value = shown;
  }
}
