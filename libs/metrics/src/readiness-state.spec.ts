import { ReadinessState } from './readiness-state';

describe('ReadinessState', () => {
  it('is not ready until every registered component reported healthy', () => {
    const state = new ReadinessState(['redis', 'loop'], () => 1000);
    expect(state.readiness()).toMatchObject({ ready: false, reasons: ['redis: not checked yet', 'loop: not checked yet'] });
    state.markHealthy('redis');
    state.markHealthy('loop');
    expect(state.ready).toBe(true);
    expect(state.readiness().reasons).toEqual([]);
  });

  it('lists the reason of every unhealthy component and keeps `since` while nothing changes', () => {
    let now = 1000;
    const state = new ReadinessState([], () => now);
    state.markUnhealthy('redis', 'connect ECONNREFUSED');
    now = 2000;
    state.markUnhealthy('redis', 'connect ECONNREFUSED');
    state.markHealthy('loop');
    const report = state.readiness();
    expect(report.ready).toBe(false);
    expect(report.reasons).toEqual(['redis: connect ECONNREFUSED']);
    expect(report.components['redis']).toEqual({ healthy: false, reason: 'connect ECONNREFUSED', since: 1000 });
  });

  it('is ready with no components', () => {
    expect(new ReadinessState().ready).toBe(true);
  });
});
