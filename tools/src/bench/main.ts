import { BENCHES } from './benches';
import { Bench, BenchResult } from './registry';

function usage(): string {
  return [
    'usage: npm run bench -- [name ...]   (no name: run all)',
    '',
    'benchmarks:',
    ...BENCHES.map((b) => `  ${b.name.padEnd(12)} ${b.summary}`),
  ].join('\n');
}

/** Runs the named benchmarks (all when none is named) and returns their results. */
export async function runBenches(names: readonly string[]): Promise<BenchResult[] | undefined> {
  const selected: Bench[] = [];
  for (const name of names) {
    const bench = BENCHES.find((b) => b.name === name);
    if (!bench) {
      console.error(`unknown benchmark: ${name}\n\n${usage()}`);
      return undefined;
    }
    selected.push(bench);
  }
  const results: BenchResult[] = [];
  for (const bench of selected.length > 0 ? selected : BENCHES) {
    results.push(await bench.run());
    console.log('');
  }
  return results;
}

async function main(argv: readonly string[]): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log(usage());
    return 0;
  }
  const results = await runBenches(argv);
  return results === undefined ? 2 : 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (err: unknown) => {
      console.error(err);
      process.exitCode = 1;
    },
  );
}
