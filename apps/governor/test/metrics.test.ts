import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Registry } from 'prom-client';
import { createConsumerMetrics } from '@quantum/redis-streams';
import { GOVERNOR_CONSUMER_METRIC_NAMES, GovernorMetrics } from '../src/metrics';

/** Metric names of a section of docs/metrics.md (the first column of its table). */
function documented(section: string): string[] {
  const text = readFileSync(join(__dirname, '../../../docs/metrics.md'), 'utf8');
  const start = text.indexOf(`## ${section}`);
  const end = text.indexOf('\n## ', start + 3);
  const body = text.slice(start, end < 0 ? undefined : end);
  return [...body.matchAll(/^\| `([a-z_:][a-z0-9_:]*)` \|/gm)].map((m) => m[1]!);
}

describe('governor metric names (docs/metrics.md is the list)', () => {
  it('exposes exactly the documented governor metrics plus service_ready', async () => {
    const registry = new Registry();
    let ready = false;
    new GovernorMetrics(registry, () => ready);
    createConsumerMetrics({ registry, prefix: 'governor', names: GOVERNOR_CONSUMER_METRIC_NAMES });
    const names = (await registry.getMetricsAsJSON()).map((m) => m.name).sort();
    const expected = [...documented('governor (`:8044`)'), ...documented('both services').filter((n) => n !== 'up')].sort();
    expect(expected).toContain('governor_consumer_lag');
    expect(names).toEqual(expected);

    // service_ready follows readiness at scrape time
    expect(await registry.getSingleMetricAsString('service_ready')).toMatch(/service_ready 0$/m);
    ready = true;
    expect(await registry.getSingleMetricAsString('service_ready')).toMatch(/service_ready 1$/m);
    // every outcome has a series from the start (dashboards show 0, not "no data")
    expect(await registry.getSingleMetricAsString('governor_messages_total')).toContain('governor_messages_total{outcome="dead_letter"} 0');
  });
});
