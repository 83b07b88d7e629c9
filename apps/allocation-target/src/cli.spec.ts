import { parseCli } from './cli';

describe('parseCli', () => {
  it('reads --once, --help and skips --env-file with its value', () => {
    expect(parseCli(['--once', '--env-file', 'a.env'])).toEqual({ help: false, once: true, unknown: [] });
    expect(parseCli(['-h'])).toEqual({ help: true, once: false, unknown: [] });
    expect(parseCli(['--env-file=x.env', '--help'])).toEqual({ help: true, once: false, unknown: [] });
  });
  it('reports what it does not understand', () => {
    expect(parseCli(['--onec', 'x'])).toEqual({ help: false, once: false, unknown: ['--onec', 'x'] });
  });
});
