import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './service-bundle';

describe('REPO_ROOT', () => {
  it('is the repository root, where the benches build and find the bundles', () => {
    expect(existsSync(join(REPO_ROOT, 'nx.json'))).toBe(true);
    expect(existsSync(join(REPO_ROOT, 'apps', 'governor', 'package.json'))).toBe(true);
  });
});
