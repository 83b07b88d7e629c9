import { createLineEvaluator } from '../evaluate/evaluate-line';
import { Readable, Writable } from 'node:stream';
import { Command } from '../command';
import { BufferedWriter, readLines } from '../line-io';

const USAGE = `usage: npm run --silent ctl -- evaluate < input.jsonl > output.jsonl

What-if evaluation of the efficiency core (contract section 6). Reads JSON lines on stdin and
writes one JSON line per input line, in order, on stdout. Blank lines are skipped (no output).
Exit code 1 if any line failed, else 0.

Input line fields:
  id          any string, echoed
  kind        "allocation" | "permit"
  now         epoch seconds (number)
  efficiency  the efficiency hash as a map of strings, or null for no hash
  target      (allocation) the target hash as a map of strings
  env         (optional) variables of allocation-target or governor, as strings; validated as
              the services validate them and applied on top of the defaults for that line only

Output: allocation -> id, reason, multiplier, proposed_target, eff_stale
        permit     -> id, eff_reason, eff_action, eff_factor, extra_cooldown_sec, eff_stale
        error      -> {"id": <id or null>, "error": "<what is wrong>"}

Example:
  printf '%s\\n' \\
    '{"id":"a1","kind":"allocation","now":1700000000,"target":{"target_usd":"1000"},"efficiency":{"efficiency_score":"0.2","confidence":"0.9","ts":"1699999990"}}' \\
    '{"id":"p1","kind":"permit","now":1700000000.25,"efficiency":null,"env":{"P31_DOWNSIZE_THRESHOLD":"0.5"}}' \\
    | npm run --silent ctl -- evaluate
  {"id":"a1","reason":"ok","multiplier":0.7,"proposed_target":700,"eff_stale":false}
  {"id":"p1","eff_reason":"missing_eff","eff_action":"NONE","eff_factor":1,"extra_cooldown_sec":0,"eff_stale":false}
`;

/** Streams `input` through the evaluator into `output`; resolves to the exit code. */
export async function runEvaluate(input: Readable, output: Writable): Promise<number> {
  const evaluate = createLineEvaluator();
  const writer = new BufferedWriter(output);
  let failed = false;
  // A reader that went away (EPIPE, e.g. `| head`) ends the run quietly.
  let outputError: Error | undefined;
  const onError = (err: Error) => {
    outputError = err;
  };
  output.on('error', onError);
  try {
    for await (const line of readLines(input)) {
      if (outputError !== undefined) break;
      if (isBlank(line)) continue;
      const result = evaluate(line);
      if (result.failed) failed = true;
      const pending = writer.write(result.text + '\n');
      if (pending !== undefined) await pending;
    }
    if (outputError === undefined) await writer.end();
  } catch (err) {
    if (outputError === undefined) throw err;
  } finally {
    output.off('error', onError);
  }
  if (outputError !== undefined && (outputError as NodeJS.ErrnoException).code !== 'EPIPE') throw outputError;
  return failed ? 1 : 0;
}

function isBlank(line: string): boolean {
  for (let i = 0; i < line.length; i++) {
    const c = line.charCodeAt(i);
    if (c !== 32 && c !== 9) return false;
  }
  return true;
}

export const evaluateCommand: Command = {
  name: 'evaluate',
  summary: 'what-if evaluation: JSON lines on stdin -> one JSON result line each on stdout',
  usage: USAGE,
  async run(argv) {
    if (argv.length > 0) {
      process.stderr.write(`ctl evaluate: unexpected argument ${JSON.stringify(argv[0])}\n\n${USAGE}`);
      return 2;
    }
    return runEvaluate(process.stdin, process.stdout);
  },
};
