import { DEFAULT_SHADOW_SETTINGS, keyLayoutProblems } from './settings';

describe('keyLayoutProblems', () => {
  it('accepts the defaults', () => {
    expect(keyLayoutProblems(DEFAULT_SHADOW_SETTINGS)).toEqual([]);
  });
  it.each(['quantum:allocation:target:', 'quantum:allocation:target:p', 'quantum:allocation:target:proposed'])('refuses PROPOSED_KEY_PREFIX=%s', (proposedKeyPrefix) => {
    const problems = keyLayoutProblems({ ...DEFAULT_SHADOW_SETTINGS, proposedKeyPrefix });
    expect(problems.map((p) => p.variable)).toEqual(['PROPOSED_KEY_PREFIX']);
  });
  it('refuses a stream name that is a target key', () => {
    const problems = keyLayoutProblems({ ...DEFAULT_SHADOW_SETTINGS, streamName: 'quantum:allocation:target:STREAM' });
    expect(problems.map((p) => p.variable)).toEqual(['PROPOSE_STREAM_NAME']);
  });
  it('accepts prefixes elsewhere', () => {
    expect(keyLayoutProblems({ ...DEFAULT_SHADOW_SETTINGS, proposedKeyPrefix: 'shadow:proposed:', streamName: 'quantum:allocation:target:proposed:stream:x' })).toEqual([]);
  });
});
