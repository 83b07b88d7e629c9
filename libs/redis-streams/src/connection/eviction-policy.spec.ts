import { evictionCheckFromInfo, evictionProblem } from './eviction-policy';

describe('evictionCheckFromInfo', () => {
  it.each([
    ['noeviction', false],
    ['allkeys-lru', true],
    ['volatile-lru', true],
    ['allkeys-random', true],
    ['volatile-ttl', true],
    ['allkeys-lfu', true],
  ])('%s evicting: %p', (policy, evicting) => {
    const info = `# Memory\r\nused_memory:1000\r\nmaxmemory:0\r\nmaxmemory_policy:${policy}\r\nallocator_frag_ratio:1.0\r\n`;
    expect(evictionCheckFromInfo(info)).toEqual({ policy, evicting });
  });

  it('a reply without the field (a proxy, an old server) is not taken as evicting', () => {
    expect(evictionCheckFromInfo('# Memory\r\nused_memory:1000\r\n')).toEqual({ policy: '', evicting: false });
  });

  it('the problem names the policy and the fix', () => {
    expect(evictionProblem({ policy: 'allkeys-lru', evicting: true })).toMatch(/maxmemory-policy is allkeys-lru: .*set maxmemory-policy noeviction/);
  });
});
