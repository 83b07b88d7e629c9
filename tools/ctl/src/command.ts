/** One `ctl` command. Add one: a file in ./commands exporting it, and one line in ./commands/index.ts. */
export interface Command {
  readonly name: string;
  /** One line, for `ctl --help`. */
  readonly summary: string;
  /** Shown by `ctl <name> --help`: usage line(s), options and an example. */
  readonly usage: string;
  /** Resolves to the exit code. */
  run(argv: readonly string[]): Promise<number>;
}
