// Validates the deployment and observability artefacts (docker/, deploy/, .github/, docs/metrics.md).
// External validators: `docker-compose config -q` (or `docker compose`), `promtool`, and
// `systemd-analyze verify` when present. .ci/run installs docker-compose and prometheus.
import { spawn, spawnSync, SpawnSyncReturns } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { builtinModules } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { GOVERNOR_CONFIG, loadServiceConfig } from '@quantum/config';

const root = join(__dirname, '..', '..');
const at = (...p: string[]) => join(root, ...p);
const read = (...p: string[]) => readFileSync(at(...p), 'utf8');
const SERVICES = [
  { app: 'allocation-target', port: 8065 },
  { app: 'governor', port: 8044 },
] as const;

function run(cmd: string, args: string[], opts: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd: opts.cwd ?? root, env: opts.env ?? process.env, encoding: 'utf8', timeout: 60_000 });
}
const has = (cmd: string, args: string[]) => {
  const r = run(cmd, args);
  return !r.error && r.status === 0;
};
const output = (r: SpawnSyncReturns<string>) => `${r.error ?? ''}\n${r.stdout}\n${r.stderr}`;

// ---------------------------------------------------------------- metric names (docs/metrics.md)

/** Names a query may use: the table rows of docs/metrics.md, histograms expanded to their series. */
function allowedMetricNames(markdown: string): Set<string> {
  const names = new Set<string>();
  for (const line of markdown.split('\n')) {
    const m = /^\|\s*`([a-zA-Z_:][a-zA-Z0-9_:]*)`\s*\|\s*(counter|gauge|histogram|summary)\s*\|/.exec(line);
    if (!m) continue;
    const [, name, type] = m;
    if (type === 'histogram') for (const s of ['_bucket', '_sum', '_count']) names.add(name + s);
    else if (type === 'summary') for (const s of ['', '_sum', '_count']) names.add(name + s);
    else names.add(name);
  }
  return names;
}
const isDefaultMetric = (name: string) => /^(process|nodejs)_/.test(name);

const PROMQL_KEYWORDS = new Set(['and', 'or', 'unless', 'by', 'without', 'on', 'ignoring', 'group_left', 'group_right', 'offset', 'bool', 'inf', 'nan']);

/** Metric names referenced by a PromQL expression (not functions, labels, keywords or Grafana variables). */
function metricNamesIn(expr: string): string[] {
  const stripped = expr
    .replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""') // strings
    .replace(/\{[^}]*\}/g, ' ') // label matchers
    .replace(/\[[^\]]*\]/g, ' ') // range selectors
    .replace(/\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)/g, ' ') // label lists
    .replace(/\$\{?\w+\}?/g, ' '); // Grafana variables
  const names = new Set<string>();
  const re = /[a-zA-Z_:][a-zA-Z0-9_:]*/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(stripped)) !== null) {
    const word = m[0];
    const before = stripped[m.index - 1];
    if (before && /[0-9.]/.test(before)) continue; // 1e3, 5m
    const after = stripped.slice(m.index + word.length);
    if (/^\s*\(/.test(after)) continue; // function or aggregation
    if (PROMQL_KEYWORDS.has(word.toLowerCase())) continue;
    names.add(word);
  }
  return [...names];
}

const allowed = allowedMetricNames(read('docs', 'metrics.md'));
const unknownNames = (exprs: string[]) =>
  exprs.flatMap((e) => metricNamesIn(e).filter((n) => !allowed.has(n) && !isDefaultMetric(n)).map((n) => `${n} in: ${e}`));

describe('docs/metrics.md and the PromQL name extraction', () => {
  it('lists the contract metrics and the added ones, histograms expanded', () => {
    for (const n of [
      'p29_shadow_loops_total', 'p29_shadow_proposed_total', 'p29_shadow_multiplier', 'p29_shadow_eff_score', 'p29_shadow_eff_confidence',
      'p32_eff_apply_total', 'p32_eff_factor', 'quantum_govern_allow_total', 'quantum_govern_block_total',
      'p29_shadow_loop_duration_seconds_bucket', 'p29_shadow_symbols_per_loop', 'p29_shadow_last_success_timestamp_seconds', 'p29_shadow_loop_errors_total',
      'governor_messages_total', 'governor_decision_latency_seconds_bucket', 'governor_decision_latency_seconds_count', 'governor_pending_messages',
      'governor_consumer_lag', 'governor_reclaimed_total', 'governor_dead_letters_total', 'governor_trimmed_before_ack_total', 'service_ready', 'up',
    ]) {
      expect(allowed).toContain(n);
    }
    expect(allowed).not.toContain('governor_decision_latency_seconds'); // only its series exist
  });

  it('extracts metric names and ignores functions, labels, keywords and variables', () => {
    expect(metricNamesIn('histogram_quantile(0.99, sum by (job, le) (rate(governor_decision_latency_seconds_bucket{job="governor"}[5m]))) > 0.5').sort())
      .toEqual(['governor_decision_latency_seconds_bucket']);
    expect(metricNamesIn('time() - p29_shadow_last_success_timestamp_seconds{job=~"$job"} > 120')).toEqual(['p29_shadow_last_success_timestamp_seconds']);
    expect(metricNamesIn('a_total > 1 and on (instance) delta(b_gauge[$__rate_interval]) > 0').sort()).toEqual(['a_total', 'b_gauge']);
    expect(unknownNames(['rate(not_a_documented_metric_total[5m])'])).toHaveLength(1);
    expect(unknownNames(['process_resident_memory_bytes', 'up == 0'])).toEqual([]);
  });
});

// ---------------------------------------------------------------- Prometheus

const promtoolPresent = has('promtool', ['--version']);

describe('Prometheus config and alert rules', () => {
  beforeAll(() => {
    if (!promtoolPresent) throw new Error('promtool not found: install the Debian package `prometheus` (.ci/run does)');
  });

  it('promtool check config accepts docker/prometheus/prometheus.yml', () => {
    const r = run('promtool', ['check', 'config', 'docker/prometheus/prometheus.yml']);
    expect({ status: r.status, out: output(r) }).toMatchObject({ status: 0 });
  });

  it('promtool check rules accepts docker/prometheus/alerts.yml', () => {
    const r = run('promtool', ['check', 'rules', 'docker/prometheus/alerts.yml']);
    expect({ status: r.status, out: output(r) }).toMatchObject({ status: 0 });
  });

  it('promtool test rules passes docker/prometheus/alerts.test.yml', () => {
    const r = run('promtool', ['test', 'rules', 'docker/prometheus/alerts.test.yml']);
    expect({ status: r.status, out: output(r) }).toMatchObject({ status: 0 });
  });

  it('the rule unit tests bite: a weakened dead-letter or stalled-loop rule fails them', () => {
    const mutations: [string, string][] = [
      ['increase(governor_dead_letters_total{job="governor"}[10m]) > 0', 'increase(governor_dead_letters_total{job="governor"}[10m]) > 5'],
      ['p29_shadow_last_success_timestamp_seconds{job="allocation-target"} > 120', 'p29_shadow_last_success_timestamp_seconds{job="allocation-target"} > 1200'],
    ];
    for (const [from, to] of mutations) {
      const dir = mkdtempSync(join(tmpdir(), 'ops-rules-'));
      try {
        const rules = read('docker', 'prometheus', 'alerts.yml');
        expect(rules).toContain(from);
        writeFileSync(join(dir, 'alerts.yml'), rules.replace(from, to));
        copyFileSync(at('docker', 'prometheus', 'alerts.test.yml'), join(dir, 'alerts.test.yml'));
        const r = run('promtool', ['test', 'rules', 'alerts.test.yml'], { cwd: dir });
        expect(r.status).not.toBe(0);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    }
  });

  const alertsDoc = parseYaml(read('docker', 'prometheus', 'alerts.yml')) as {
    groups: { name: string; rules: { alert?: string; expr: string; labels?: Record<string, string>; annotations?: Record<string, string> }[] }[];
  };
  const rules = alertsDoc.groups.flatMap((g) => g.rules);

  it('has the required alerts, each with a severity and a summary', () => {
    const names = rules.map((r) => r.alert);
    for (const n of ['QuantumServiceDown', 'QuantumServiceNotReady', 'GovernorConsumerLagGrowing', 'GovernorPendingGrowing', 'GovernorDeadLetters', 'AllocationLoopStalled', 'GovernorDecisionLatencyHigh']) {
      expect(names).toContain(n);
    }
    for (const r of rules) {
      expect(r.labels?.severity).toMatch(/^(critical|warning|info)$/);
      expect(r.annotations?.summary).toBeTruthy();
    }
  });

  it('uses only metric names from docs/metrics.md', () => {
    expect(unknownNames(rules.map((r) => r.expr))).toEqual([]);
  });

  it('scrapes both services under the job names the rules select on', () => {
    const cfg = parseYaml(read('docker', 'prometheus', 'prometheus.yml')) as {
      rule_files: string[];
      scrape_configs: { job_name: string; static_configs: { targets: string[] }[] }[];
    };
    expect(cfg.rule_files).toContain('alerts.yml');
    for (const { app, port } of SERVICES) {
      const job = cfg.scrape_configs.find((s) => s.job_name === app);
      expect(job?.static_configs.flatMap((s) => s.targets)).toEqual([`${app}:${port}`]);
    }
  });
});

describe('Prometheus 3 (the compose image) reads what promtool 2 validated', () => {
  // promtool here is Debian's 2.x; the compose stack runs 3.x. Kept to what both accept, and clear
  // of the 3.0 changes (prometheus.io/docs/prometheus/latest/migration) that could bite.
  const cfg = parseYaml(read('docker', 'prometheus', 'prometheus.yml')) as Record<string, unknown> & {
    scrape_configs: ({ static_configs: { targets: string[] }[] } & Record<string, unknown>)[];
  };
  const exprs = [
    ...(parseYaml(read('docker', 'prometheus', 'alerts.yml')) as { groups: { rules: { expr: string }[] }[] }).groups.flatMap((g) => g.rules.map((r) => r.expr)),
    ...(JSON.parse(read('docker', 'grafana', 'dashboards', 'quantum-efficiency.json')) as { panels: { targets?: { expr?: string }[] }[] }).panels
      .flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? '')),
  ];

  it('uses only settings that mean the same in 2.x and 3.x', () => {
    expect(Object.keys(cfg).sort()).toEqual(['global', 'rule_files', 'scrape_configs']);
    for (const sc of cfg.scrape_configs) {
      expect(Object.keys(sc).filter((k) => !['job_name', 'metrics_path', 'static_configs'].includes(k))).toEqual([]);
    }
  });

  it('gives every scrape target its port (3.x no longer adds the scheme default)', () => {
    for (const t of cfg.scrape_configs.flatMap((sc) => sc.static_configs.flatMap((x) => x.targets))) expect(t).toMatch(/^[\w.-]+:\d+$/);
  });

  it('queries use no function renamed in 3.x and no le/quantile matcher in 2.x integer form (3.x writes "1.0")', () => {
    for (const e of exprs) {
      expect(e).not.toMatch(/\bholt_winters\s*\(/);
      expect(e).not.toMatch(/\b(le|quantile)\s*=~?\s*"[+-]?\d+"/);
    }
  });
});

// ---------------------------------------------------------------- Grafana

describe('Grafana provisioning and dashboard', () => {
  type Panel = { type: string; title?: string; datasource?: { uid?: string }; targets?: { expr?: string }[] };
  const dashboard = JSON.parse(read('docker', 'grafana', 'dashboards', 'quantum-efficiency.json')) as { uid: string; panels: Panel[] };
  const panels = dashboard.panels.filter((p) => p.type !== 'row');
  const exprs = panels.flatMap((p) => (p.targets ?? []).map((t) => t.expr ?? ''));

  it('parses, and every panel has a title and a query', () => {
    expect(panels.length).toBeGreaterThanOrEqual(10);
    for (const p of panels) {
      expect(p.title?.trim()).toBeTruthy();
      expect(p.targets?.length).toBeGreaterThan(0);
      for (const t of p.targets ?? []) expect(t.expr?.trim()).toBeTruthy();
    }
  });

  it('uses only metric names from docs/metrics.md (or prom-client defaults)', () => {
    expect(unknownNames(exprs)).toEqual([]);
  });

  it('has no Angular panel (Grafana 12 and later, which the compose stack runs, load none)', () => {
    const angular = ['graph', 'singlestat', 'table-old', 'grafana-piechart-panel', 'grafana-worldmap-panel', 'grafana-singlestat-panel'];
    expect(panels.map((p) => p.type).filter((t) => angular.includes(t))).toEqual([]);
  });

  it('covers proposals, multipliers, permits/blocks, downsize, lag, pending, dead letters, latency, loop duration', () => {
    const used = new Set(exprs.flatMap(metricNamesIn));
    for (const n of [
      'p29_shadow_proposed_total', 'p29_shadow_multiplier', 'quantum_govern_allow_total', 'quantum_govern_block_total', 'p32_eff_factor',
      'governor_consumer_lag', 'governor_pending_messages', 'governor_dead_letters_total', 'governor_decision_latency_seconds_bucket',
      'p29_shadow_loop_duration_seconds_bucket',
    ]) {
      expect(used).toContain(n);
    }
    expect(exprs.some((e) => /sum by \(reason\) \(rate\(p29_shadow_proposed_total/.test(e))).toBe(true);
    expect(exprs.some((e) => /sum by \(reason\) \(rate\(quantum_govern_block_total/.test(e))).toBe(true);
  });

  it('panels use the provisioned Prometheus data source, and the provider loads the mounted folder', () => {
    const ds = parseYaml(read('docker', 'grafana', 'provisioning', 'datasources', 'prometheus.yaml')) as { datasources: { uid: string; type: string; url: string }[] };
    const prom = ds.datasources.find((d) => d.type === 'prometheus');
    expect(prom?.url).toBe('http://prometheus:9090');
    for (const p of panels) expect(p.datasource?.uid).toBe(prom?.uid);
    const prov = parseYaml(read('docker', 'grafana', 'provisioning', 'dashboards', 'quantum.yaml')) as { providers: { options: { path: string } }[] };
    const compose = read('docker', 'compose.yaml');
    expect(compose).toContain(`./grafana/dashboards:${prov.providers[0].options.path}:ro`);
  });
});

// ---------------------------------------------------------------- compose

function composeCommand(): string[] | undefined {
  if (has('docker-compose', ['version'])) return ['docker-compose'];
  if (has('docker', ['compose', 'version'])) return ['docker', 'compose'];
  return undefined;
}

describe('docker/compose.yaml', () => {
  const compose = composeCommand();
  if (!compose) {
    console.warn('SKIPPED compose validation: neither `docker-compose` nor `docker compose` is installed (apt-get install docker-compose)');
  }
  (compose ? it : it.skip)('`compose config -q` accepts it, with every profile', () => {
    const [cmd, ...pre] = compose ?? [];
    const r = run(cmd, [...pre, '-f', 'docker/compose.yaml', '--profile', 'demo', '--profile', 'observability', 'config', '-q']);
    expect({ status: r.status, out: output(r) }).toMatchObject({ status: 0 });
  });

  type Service = {
    image?: string; command?: string[]; profiles?: string[]; ports?: string[]; restart?: string;
    build?: { context: string; dockerfile: string; target?: string; args?: Record<string, string> };
    depends_on?: Record<string, { condition: string }>; healthcheck?: { test: string[] }; volumes?: string[];
    environment?: Record<string, string>;
  };
  const doc = parseYaml(read('docker', 'compose.yaml'), { merge: true }) as { services: Record<string, Service>; volumes: Record<string, unknown> };
  const s = doc.services;

  it('runs Redis 7 append-only, noeviction, health-checked, on a named volume', () => {
    expect(s.redis.image).toMatch(/^redis:7\b/);
    expect(s.redis.command?.join(' ')).toMatch(/--appendonly yes/);
    expect(s.redis.command?.join(' ')).toMatch(/--maxmemory-policy noeviction/);
    expect(s.redis.healthcheck?.test).toEqual(['CMD', 'redis-cli', 'ping']);
    const volume = s.redis.volumes?.[0].split(':')[0] ?? '';
    expect(Object.keys(doc.volumes)).toContain(volume);
  });

  it('runs both services after a healthy Redis, on their ports, built from docker/service.Dockerfile with their APP and PORT', () => {
    for (const { app, port } of SERVICES) {
      const svc = s[app];
      expect(svc.depends_on?.redis.condition).toBe('service_healthy');
      expect(svc.build).toEqual({ context: '..', dockerfile: 'docker/service.Dockerfile', args: { APP: app, PORT: String(port) } });
      expect(svc.image).toBe(`quantum/${app}:local`);
      expect(svc.ports?.some((p) => p.endsWith(`:${port}`))).toBe(true);
      expect(svc.environment?.METRICS_PORT).toBe(String(port));
      expect(svc.environment?.REDIS_URL).toBe('redis://redis:6379/0');
      expect(svc.restart).toBeTruthy();
      expect(svc.profiles).toBeUndefined();
    }
  });

  it('puts the simulator under `demo` and Prometheus/Grafana under `observability`', () => {
    expect(s.simulator.profiles).toEqual(['demo']);
    expect(s.simulator.command).toEqual(['npm', 'run', 'ctl', '--', 'simulate']);
    expect(s.simulator.build).toEqual({ context: '..', dockerfile: 'docker/service.Dockerfile', target: 'build', args: { APP: 'allocation-target', PORT: '8065' } });
    expect(s.prometheus.profiles).toEqual(['observability']);
    expect(s.grafana.profiles).toEqual(['observability']);
    expect(s.prometheus.volumes).toContain('./prometheus/alerts.yml:/etc/prometheus/alerts.yml:ro');
  });

  it('pins current majors of the observability images: Prometheus 3, Grafana 13', () => {
    // exact versions, so that a stack started twice is the same stack
    expect(s.prometheus.image).toMatch(/^prom\/prometheus:v3\.\d+\.\d+$/);
    expect(s.grafana.image).toMatch(/^grafana\/grafana:13\.\d+\.\d+$/);
  });
});

// ---------------------------------------------------------------- Dockerfiles

describe('docker/service.Dockerfile', () => {
  const text = read('docker', 'service.Dockerfile');
  const instructions = (t: string) =>
    t.replace(/\\\n/g, ' ').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#'));
  const lines = instructions(text);
  const froms = lines.filter((l) => /^FROM /i.test(l));
  const stage = (name: string) => {
    const start = lines.findIndex((l) => new RegExp(`^FROM \\S+ AS ${name}$`).test(l));
    const next = lines.findIndex((l, i) => i > start && /^FROM /.test(l));
    return lines.slice(start, next < 0 ? undefined : next);
  };
  /** What the builder does with ${APP} and ${PORT} in the instructions that expand build arguments. */
  const expand = (l: string, app: string, port: number) => l.replaceAll('${APP}', app).replaceAll('${PORT}', String(port));

  it('is the only Dockerfile of the services (one file, so nothing can drift apart)', () => {
    expect(readdirSync(at('docker')).filter((f) => /Dockerfile/i.test(f))).toEqual(['service.Dockerfile']);
  });

  it('has two node:24-bookworm-slim stages, each declaring the build arguments APP and PORT', () => {
    expect(froms).toEqual(['FROM node:24-bookworm-slim AS build', 'FROM node:24-bookworm-slim AS runtime']);
    for (const name of ['build', 'runtime']) {
      expect(stage(name)).toEqual(expect.arrayContaining(['ARG APP', 'ARG PORT']));
    }
  });

  it.each(SERVICES)('runtime stage for $app: non-root USER, HEALTHCHECK on /healthz, EXPOSE, METRICS_PORT, STOPSIGNAL, CMD of its bundle', ({ app, port }) => {
    const runtime = stage('runtime').map((l) => expand(l, app, port));
    const users = runtime.filter((l) => /^USER /.test(l));
    expect(users.length).toBeGreaterThan(0);
    expect(users[users.length - 1]).not.toMatch(/^USER (root|0)(:|$)/);
    expect(runtime.some((l) => /^HEALTHCHECK .*CMD .*\/healthz/.test(l))).toBe(true);
    expect(runtime).toContain(`EXPOSE ${port}`);
    expect(runtime.find((l) => l.startsWith('ENV '))).toMatch(new RegExp(`\\bMETRICS_PORT=${port}$`));
    expect(runtime).toContain('STOPSIGNAL SIGTERM');
    expect(runtime.some((l) => /^RUN npm ci --omit=dev --workspaces=false\b/.test(l))).toBe(true);
    expect(runtime).toContain('COPY package.json package-lock.json ./');
    expect(runtime).toContain(`COPY --from=build /src/apps/${app}/dist apps/${app}/dist`);
    // exec-form CMD cannot expand build arguments: it runs dist/main.js from the app's WORKDIR
    const workdirs = runtime.filter((l) => l.startsWith('WORKDIR '));
    expect(workdirs[workdirs.length - 1]).toBe(`WORKDIR /opt/quantum/apps/${app}`);
    expect(runtime[runtime.length - 1]).toBe('CMD ["node", "dist/main.js"]');
    // ... and node finds the runtime dependencies installed in /opt/quantum from there
    expect(workdirs[0]).toBe('WORKDIR /opt/quantum');
  });

  it('builds the app named by APP with Nx', () => {
    expect(stage('build').some((l) => l.startsWith('RUN npx nx run "@quantum/${APP}:build"'))).toBe(true);
  });

  it('the build stage copies every workspace manifest before `npm ci` (else npm ci fails)', () => {
    const manifests = ['apps', 'libs', 'tools']
      .flatMap((d) => readdirSync(at(d)).map((n) => `${d}/${n}`))
      .concat('e2e')
      .filter((d) => existsSync(at(d, 'package.json')));
    const npmCi = text.indexOf('RUN npm ci --no-audit');
    for (const d of manifests) {
      const copy = text.indexOf(`COPY ${d}/package.json ${d}/`);
      expect({ manifest: d, copied: copy >= 0 && copy < npmCi }).toEqual({ manifest: d, copied: true });
    }
  });

  describe('the build-argument checks (its RUN lines, run here with sh)', () => {
    // the two RUN lines that stop a build with a wrong APP or PORT, run in the repository root as
    // the build stage runs them in /src (deploy/env is in the build context)
    const checks = stage('build').filter((l) => /^RUN (case "\$\{APP\}"|grep -qx "METRICS_PORT)/.test(l)).map((l) => l.slice(4));
    const check = (args: Record<string, string>) => {
      const r = spawnSync('sh', ['-c', checks.join('\n')], { cwd: root, env: { PATH: process.env['PATH'], ...args }, encoding: 'utf8' });
      return { status: r.status, stderr: r.stderr.trim() };
    };

    it('finds both checks', () => expect(checks).toHaveLength(2));

    it.each(SERVICES)('APP=$app PORT=$port passes (the pair compose passes)', ({ app, port }) => {
      expect(check({ APP: app, PORT: String(port) })).toEqual({ status: 0, stderr: '' });
    });

    it('an unknown or missing APP, or the other app\'s PORT, stops the build with a message', () => {
      expect(check({ APP: 'simulator', PORT: '8065' })).toEqual({ status: 1, stderr: "build argument APP must be allocation-target or governor (got 'simulator')" });
      expect(check({ PORT: '8065' })).toEqual({ status: 1, stderr: "build argument APP must be allocation-target or governor (got '')" });
      expect(check({ APP: 'governor', PORT: '8065' })).toEqual({ status: 1, stderr: "build argument PORT='8065' is not governor's METRICS_PORT: METRICS_PORT=8044" });
      expect(check({ APP: 'governor' })).toMatchObject({ status: 1 });
    });

    it('the APP list is the services', () => {
      expect(checks[0]).toMatch(new RegExp(`case "\\$\\{APP\\}" in ${SERVICES.map((x) => x.app).join('\\|')}\\)`));
    });
  });

  describe('the HEALTHCHECK command', () => {
    let server: Server;
    let status = 200;
    beforeAll(async () => {
      server = createServer((req, res) => {
        res.statusCode = req.url === '/healthz' ? status : 404;
        res.end();
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    });
    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    const healthcheck = (port: number | string): Promise<number | null> => {
      const line = lines.find((l) => l.startsWith('HEALTHCHECK')) ?? '';
      const argv = JSON.parse(line.slice(line.indexOf('CMD ') + 4)) as string[];
      const env = { ...process.env, METRICS_PORT: String(port) };
      return new Promise((resolve) => {
        // asynchronous: the test server answers from this process
        spawn(argv[0], argv.slice(1), { env, stdio: 'ignore' }).on('exit', (code) => resolve(code));
      });
    };

    it('uses METRICS_PORT (the image sets it from PORT): exit 0 on 200, 1 on 503, 1 when nothing listens', async () => {
      const port = (server.address() as AddressInfo).port;
      status = 200;
      expect(await healthcheck(port)).toBe(0);
      status = 503;
      expect(await healthcheck(port)).toBe(1);
      expect(await healthcheck(1)).toBe(1);
    });
  });

  it('.dockerignore keeps host node_modules, dist and .git out of the context', () => {
    const lines = read('.dockerignore').split('\n').map((l) => l.trim());
    for (const p of ['**/node_modules', '**/dist', '.git', '.nx']) expect(lines).toContain(p);
  });

  it('a built bundle needs only Node built-ins and the root `dependencies` (all the runtime stage installs)', () => {
    const deps = Object.keys((JSON.parse(read('package.json')) as { dependencies: Record<string, string> }).dependencies);
    const builtins = new Set(builtinModules.flatMap((m) => [m, `node:${m}`]));
    let checked = 0;
    for (const { app } of SERVICES) {
      const bundle = at('apps', app, 'dist', 'main.js');
      if (!existsSync(bundle)) continue;
      checked += 1;
      const required = [...readFileSync(bundle, 'utf8').matchAll(/\brequire\("([^"]+)"\)/g)].map((m) => m[1]);
      const extra = required.filter((r) => !builtins.has(r) && !builtins.has(r.split('/')[0]) && !deps.includes(r.startsWith('@') ? r.split('/').slice(0, 2).join('/') : r.split('/')[0]));
      expect({ app, extra }).toEqual({ app, extra: [] });
    }
    if (checked === 0) console.warn('bundle check: no apps/*/dist/main.js yet (run `npm run build`); only the Dockerfile structure was checked');
  });
});

// ---------------------------------------------------------------- systemd

describe('systemd units', () => {
  const unit = (app: string) => read('deploy', 'systemd', `quantum-${app}.service`);
  const directives = (text: string) => {
    const map = new Map<string, string[]>();
    let section = '';
    for (const raw of text.split('\n')) {
      const line = raw.trim();
      if (!line || line.startsWith('#') || line.startsWith(';')) continue;
      const sec = /^\[(\w+)\]$/.exec(line);
      if (sec) {
        section = sec[1];
        continue;
      }
      const eq = line.indexOf('=');
      const key = `${section}.${line.slice(0, eq)}`;
      map.set(key, [...(map.get(key) ?? []), line.slice(eq + 1)]);
    }
    return map;
  };

  it.each(SERVICES)('quantum-$app.service has the required directives', ({ app }) => {
    const d = directives(unit(app));
    const one = (k: string) => {
      expect(d.get(k)).toHaveLength(1);
      return d.get(k)?.[0];
    };
    expect(one('Service.User')).toBe(`quantum-${app}`);
    expect(one('Service.EnvironmentFile')).toBe(`/etc/quantum/${app}.env`);
    expect(one('Service.ExecStart')).toBe(`/usr/bin/node /opt/quantum/apps/${app}/dist/main.js`);
    expect(one('Service.Restart')).toBe('on-failure');
    expect(one('Service.RestartPreventExitStatus')).toBe('78');
    expect(one('Service.TimeoutStopSec')).toBe('15');
    for (const [k, v] of Object.entries({
      NoNewPrivileges: 'yes', ProtectSystem: 'strict', ProtectHome: 'yes', PrivateTmp: 'yes', PrivateDevices: 'yes',
      RestrictAddressFamilies: 'AF_INET AF_INET6 AF_UNIX', CapabilityBoundingSet: '', SystemCallFilter: '@system-service',
    })) {
      expect({ k, v: one(`Service.${k}`) }).toEqual({ k, v });
    }
    // V8's JIT needs writable+executable memory.
    expect(d.has('Service.MemoryDenyWriteExecute')).toBe(false);
    expect(unit(app)).toMatch(/# MemoryDenyWriteExecute=yes is deliberately NOT set: V8's JIT/);
  });

  const analyze = has('systemd-analyze', ['--version']);
  (analyze ? it : it.skip)('systemd-analyze verify reports nothing', () => {
    const r = run('systemd-analyze', ['verify', ...SERVICES.map(({ app }) => `deploy/systemd/quantum-${app}.service`)]);
    expect({ status: r.status, stderr: r.stderr.trim() }).toEqual({ status: 0, stderr: '' });
  });
});

// ---------------------------------------------------------------- env examples

describe('deploy/env examples', () => {
  const contractVariables: Record<string, string[]> = {
    'allocation-target': ['REDIS_URL', 'REDIS_HOST', 'REDIS_PORT', 'REDIS_DB', 'METRICS_HOST', 'METRICS_PORT', 'LOG_LEVEL', 'LOOP_INTERVAL_SEC',
      'P31_BASE', 'P31_SCALE', 'P31_MIN_MULT', 'P31_MAX_MULT', 'P31_STALE_SEC', 'P31_MIN_CONF', 'P31_MAX_FUTURE_SKEW_SEC',
      'PROPOSE_STREAM_NAME', 'PROPOSE_STREAM_MAXLEN', 'PROPOSE_KEY_TTL'],
    governor: ['REDIS_URL', 'REDIS_HOST', 'REDIS_PORT', 'REDIS_DB', 'METRICS_HOST', 'METRICS_PORT', 'LOG_LEVEL', 'GOV_MODE', 'GOV_MAX_DELIVERIES',
      'GOV_DECISION_TTL_SEC', 'GOV_KILL_SCORE_CRITICAL', 'GOV_SYMBOL_COOLDOWN_SECONDS', 'GOV_MAX_EXEC_PER_HOUR', 'GOV_MAX_EXEC_PER_5MIN',
      'GOV_MAX_NOTIONAL_PER_TRADE_USDT', 'GOV_MAX_NOTIONAL_PER_DAY_USD', 'PERMIT_TTL_SEC', 'P31_MIN_CONF', 'P31_EFF_TTL_SEC',
      'P31_MAX_FUTURE_SKEW_SEC', 'P31_DOWNSIZE_THRESHOLD', 'P31_MIN_FACTOR', 'P31_MAX_EXTRA_COOLDOWN_SEC', 'P31_ENFORCE_DOWNSIZE',
      'GOV_PRICE_KEY_PATTERN', 'GOV_PRICE_FIELD', 'GOV_PRICE_TS_FIELD', 'GOV_PRICE_MAX_AGE_SEC', 'GOV_NOTIONAL_UNKNOWN'],
  };

  it.each(SERVICES)('$app: regular format, every contract variable, the right port, no inline comments', ({ app, port }) => {
    const lines = read('deploy', 'env', `${app}.env.example`).split('\n');
    const names: string[] = [];
    lines.forEach((line, i) => {
      const set = /^([A-Z][A-Z0-9_]*)=(.*)$/.exec(line);
      const unset = /^# ([A-Z][A-Z0-9_]*)=$/.exec(line);
      if (!set && !unset) {
        expect(line === '' || line.startsWith('# ')).toBe(true);
        return;
      }
      const name = (set ?? unset)?.[1] ?? '';
      names.push(name);
      expect({ name, comment: lines[i - 1] }).toEqual({ name, comment: expect.stringMatching(/^# .+\. Allowed: .+\./) });
      if (set) {
        expect({ name, value: set[2] }).toEqual({ name, value: expect.stringMatching(/^[^\s#"']+$/) });
      }
    });
    expect(new Set(names).size).toBe(names.length);
    for (const v of contractVariables[app]) expect(names).toContain(v);
    expect(lines).toContain(`METRICS_PORT=${port}`);
  });

  it('the harvest pipeline example loads as the governor loads it, with a price source', () => {
    const loaded = loadServiceConfig(GOVERNOR_CONFIG, { argv: ['--env-file', at('deploy', 'env', 'governor.pipeline.env')], env: {} });
    expect(loaded.unknownFileVariables).toEqual([]);
    expect(loaded.values).toMatchObject({ GOV_PRICE_KEY_PATTERN: 'quantum:market:{SYMBOL}:bybit', GOV_PRICE_MAX_AGE_SEC: 60, GOV_NOTIONAL_UNKNOWN: 'block' });
  });

  it('match the config catalogue (deploy/env/generate-examples.ts --check)', () => {
    const r = run(at('node_modules', '.bin', 'tsx'), ['--conditions=@quantum/source', 'deploy/env/generate-examples.ts', '--check']);
    expect({ status: r.status, out: output(r) }).toMatchObject({ status: 0 });
  });
});

// ---------------------------------------------------------------- CI workflow

describe('.github/workflows/ci.yml', () => {
  type Step = { uses?: string; run?: string; with?: Record<string, unknown> };
  const wf = parseYaml(read('.github', 'workflows', 'ci.yml')) as {
    on: Record<string, unknown>;
    jobs: Record<string, { steps: Step[]; needs?: string; if?: string; strategy?: { matrix: { include: { app: string; port: number }[] } } }>;
  };
  const steps = Object.values(wf.jobs).flatMap((j) => j.steps);

  it('runs on push and pull requests: full checkout, node 24 with npm cache, nx affected with nx-set-shas, redis-server', () => {
    expect(Object.keys(wf.on)).toEqual(expect.arrayContaining(['push', 'pull_request']));
    expect(steps.find((s) => s.uses?.startsWith('actions/checkout@'))?.with?.['fetch-depth']).toBe(0);
    expect(steps.find((s) => s.uses?.startsWith('actions/setup-node@'))?.with).toMatchObject({ 'node-version': 24, cache: 'npm' });
    expect(steps.some((s) => s.uses?.startsWith('nrwl/nx-set-shas@'))).toBe(true);
    expect(steps.some((s) => /npx nx affected -t lint typecheck test build\b/.test(s.run ?? ''))).toBe(true);
    expect(steps.some((s) => /apt-get install .*redis-server/.test(s.run ?? ''))).toBe(true);
  });

  it('builds both images with build-push-action, without pushing, only when relevant files change', () => {
    const images = Object.values(wf.jobs).find((j) => j.steps.some((s) => s.uses?.startsWith('docker/build-push-action@')));
    expect(images?.strategy?.matrix.include).toEqual(SERVICES.map((s) => ({ app: s.app, port: s.port })));
    expect(images?.if).toMatch(/needs\.changes\.outputs\.images == 'true'/);
    const build = images?.steps.find((s) => s.uses?.startsWith('docker/build-push-action@'));
    expect(build?.with).toMatchObject({ push: false, context: '.', file: 'docker/service.Dockerfile' });
    expect(String(build?.with?.['build-args'] ?? '').split('\n').filter(Boolean)).toEqual(['APP=${{ matrix.app }}', 'PORT=${{ matrix.port }}']);
  });
});
