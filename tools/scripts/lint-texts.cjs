// Lints texts as if they were one file of a project, for the specs proving that a lint rule
// bites (a library's purity rules). Run in a child process: ESLint loads the flat config with a
// native import(), which Jest's module sandbox does not support.
//   node tools/scripts/lint-texts.cjs '{"cwd": "...", "filePath": "...", "codes": ["..."]}'
// Prints, per text, its messages as [{ruleId, severity, message}].
const { ESLint } = require('eslint');

const input = JSON.parse(process.argv[2]);
(async () => {
  const eslint = new ESLint({ cwd: input.cwd });
  const out = [];
  for (const code of input.codes) {
    const [result] = await eslint.lintText(code, { filePath: input.filePath });
    out.push(result.messages.map((m) => ({ ruleId: m.ruleId, severity: m.severity, message: m.message })));
  }
  process.stdout.write(JSON.stringify(out));
})().catch((error) => {
  console.error(error);
  process.exit(1);
});
