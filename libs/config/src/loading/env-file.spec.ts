import { envFilePath, parseEnvFile, readEnvFile } from './env-file';

describe('parseEnvFile', () => {
  it.each([
    ['plain', 'A=1', { A: '1' }],
    ['export prefix and spaces around the key', 'export A=1\n  B =2', { A: '1', B: '2' }],
    ['double quotes removed', 'A="x y"', { A: 'x y' }],
    ['single quotes removed', "A='x # y'", { A: 'x # y' }],
    ['unmatched quote kept', 'A="x', { A: '"x' }],
    ['value verbatim: inline comment kept (refused later by the parser)', 'A=0.65 # note', { A: '0.65 # note' }],
    ['value verbatim: spaces kept', 'A= 1 ', { A: ' 1 ' }],
    ['empty value', 'A=', { A: '' }],
    ['first = splits', 'A=redis://u:p=w@h', { A: 'redis://u:p=w@h' }],
    ['comments and blank lines ignored', '# c\n\n   # indented\nA=1\n', { A: '1' }],
    ['CRLF', 'A=1\r\nB=2\r\n', { A: '1', B: '2' }],
  ])('%s', (_name, text, values) => {
    expect(parseEnvFile(text)).toMatchObject({ values, problems: [] });
  });

  it('reports bad lines with their numbers and keeps the good ones', () => {
    const parsed = parseEnvFile('A=1\nnot a line\n1X=2\nA=3\nB=4');
    expect(parsed.values).toEqual({ A: '1', B: '4' });
    expect(parsed.lines).toEqual({ A: 1, B: 5 });
    expect(parsed.problems).toEqual([
      { line: 2, message: 'expected KEY=VALUE (comments go on their own line, starting with #)' },
      { line: 3, message: '"1X" is not a variable name (letters, digits and _, not starting with a digit)' },
      { line: 4, message: 'A is already set on line 1' },
    ]);
  });

  it('reports an unreadable file as one problem', () => {
    expect(readEnvFile('/nonexistent/quantum.env').problems).toEqual([{ line: 0, message: 'cannot read the env file: no such file' }]);
  });
});

describe('envFilePath', () => {
  it('takes --env-file (both spellings) over ENV_FILE', () => {
    expect(envFilePath(['--env-file', 'a.env'], { ENV_FILE: 'b.env' })).toBe('a.env');
    expect(envFilePath(['--env-file=c.env'], {})).toBe('c.env');
    expect(envFilePath([], { ENV_FILE: 'b.env' })).toBe('b.env');
    expect(envFilePath([], {})).toBeUndefined();
    expect(envFilePath(['--env-file'], {})).toBe('');
  });
});
