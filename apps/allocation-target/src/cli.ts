/** Command-line options of allocation-target (configuration itself comes from the environment). */
export interface CliOptions {
  readonly help: boolean;
  readonly once: boolean;
  /** Arguments not understood (the service refuses to start with them). */
  readonly unknown: readonly string[];
}

export function parseCli(argv: readonly string[]): CliOptions {
  let help = false;
  let once = false;
  const unknown: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    if (arg === '--help' || arg === '-h') help = true;
    else if (arg === '--once') once = true;
    else if (arg === '--env-file') i++; // its value is read by the config loader
    else if (arg.startsWith('--env-file=')) continue;
    else unknown.push(arg);
  }
  return { help, once, unknown };
}

export const USAGE = `allocation-target — shadow proposer: efficiency-adjusted allocation proposals (contract §3)

Usage:
  node apps/allocation-target/dist/main.js [--once] [--env-file <path>]

Options:
  --once             run exactly one proposal loop and exit (0 on success, 1 when Redis was
                     unreachable or the loop failed); no metrics server
  --env-file <path>  read variables from a KEY=VALUE file (the environment wins over it);
                     ENV_FILE=<path> does the same
  -h, --help         print this help and exit

Exit codes: 0 ok or clean shutdown, 1 failure, 2 bad command line, 78 invalid configuration.`;
