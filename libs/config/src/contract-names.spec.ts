import * as names from './contract-names';

// The literal names of CONTRACT.md §1, §3, §4 and UPSTREAM.md: a change here changes the contract.
describe('contract names', () => {
  it('are the contract\'s', () => {
    expect({ ...names, SYMBOL_PATTERN: names.SYMBOL_PATTERN.source }).toEqual({
      TARGET_KEY_PREFIX: 'quantum:allocation:target:',
      EFFICIENCY_KEY_PREFIX: 'quantum:capital:efficiency:',
      PROPOSED_KEY_PREFIX: 'quantum:allocation:target:proposed:',
      PERMIT_KEY_PREFIX: 'quantum:permit:',
      BLOCK_KEY_PREFIX: 'quantum:governor:block:',
      KILL_SWITCH_KEY: 'quantum:kill',
      PLAN_STREAM: 'quantum:stream:apply.plan',
      PLAN_DLQ_STREAM: 'quantum:stream:apply.plan.dlq',
      GOVERNOR_EVENTS_STREAM: 'quantum:stream:governor.events',
      PROPOSE_STREAM: 'quantum:stream:allocation.target.proposed',
      GOVERNOR_GROUP: 'governor',
      SYMBOL_PLACEHOLDER: '{SYMBOL}',
      MARKET_KEY_PATTERN: 'quantum:market:{SYMBOL}:bybit',
      SYMBOL_PATTERN: '^[A-Za-z0-9._-]{1,40}$',
    });
  });

  it.each([
    ['BTCUSDT', true],
    ['1000PEPE-PERP.x_y', true],
    ['a'.repeat(40), true],
    ['a'.repeat(41), false],
    ['', false],
    ['proposed:BTCUSDT', false],
    ['BTC USDT', false],
  ])('SYMBOL_PATTERN %j → %p', (symbol, ok) => {
    expect(names.SYMBOL_PATTERN.test(symbol)).toBe(ok);
  });
});
