import { ALLOCATION_TARGET_CONFIG, CONFIG_ERROR_EXIT_CODE, ConfigError, describeConfig, exitOnConfigError, loadServiceConfig } from '@quantum/config';
import { createMetricsRegistry, MetricsServer, ReadinessState } from '@quantum/metrics';
import { createRedisClient, redisSettingsFromConfig, RedisSettingsError, waitForReady } from '@quantum/redis-streams';
import { createLogger, onShutdownSignal, redactedConfig } from '@quantum/service-runtime';
import { parseCli, USAGE } from './cli';
import { warnWhenEvicting } from './eviction-warning';
import { watchRedisHealth } from './redis-health';
import { keyLayoutProblems, shadowSettingsFromConfig } from './settings';
import { ShadowMetrics } from './shadow-metrics';
import { ShadowService } from './shadow-service';
import { shutDown } from './shutdown';

const APP = 'allocation-target';
/** How long to wait for the first connection: `--once` gives up after it, the service starts its schedule anyway. */
const CONNECT_WAIT_MS = 5_000;

async function main(argv: readonly string[]): Promise<number> {
  const cli = parseCli(argv);
  if (cli.help) {
    process.stdout.write(`${USAGE}\n\n${describeConfig(ALLOCATION_TARGET_CONFIG)}\n`);
    return 0;
  }
  if (cli.unknown.length > 0) {
    process.stderr.write(`unknown argument${cli.unknown.length > 1 ? 's' : ''}: ${cli.unknown.join(' ')}\n\n${USAGE}\n`);
    return 2;
  }

  let loaded: ReturnType<typeof loadServiceConfig<typeof ALLOCATION_TARGET_CONFIG.schema>>;
  try {
    loaded = loadServiceConfig(ALLOCATION_TARGET_CONFIG, { argv, env: process.env });
  } catch (error) {
    exitOnConfigError(error);
  }
  const config = loaded.values;
  const settings = shadowSettingsFromConfig(config);
  const layout = keyLayoutProblems(settings);
  if (layout.length > 0) exitOnConfigError(new ConfigError(layout));
  const log = createLogger({ service: APP, level: config.LOG_LEVEL });
  log.info('starting', { once: cli.once, env_file: loaded.envFile ?? null, config: redactedConfig(config, ALLOCATION_TARGET_CONFIG) });
  if (loaded.unknownFileVariables.length > 0) log.warn('env file variables this service does not read', { variables: loaded.unknownFileVariables });

  let client: ReturnType<typeof createRedisClient>;
  try {
    client = createRedisClient({ ...redisSettingsFromConfig(config), app: APP, logger: log }, 'command');
  } catch (error) {
    // An unusable REDIS_URL or an unreadable CA file is a configuration error (78), not a crash.
    if (!(error instanceof RedisSettingsError)) throw error;
    process.stderr.write(`invalid configuration:\n${error.message}\n`);
    log.error('invalid configuration', { problems: [error.message] });
    return CONFIG_ERROR_EXIT_CODE;
  }
  const readiness = new ReadinessState(['redis', 'loop']);
  const registry = createMetricsRegistry();
  const metrics = new ShadowMetrics(registry, () => readiness.ready, { symbolIdleSec: config.METRICS_SYMBOL_IDLE_SEC });
  const service = new ShadowService(client, settings, metrics, {
    error: (m, meta) => log.error(m, meta),
    warn: (m, meta) => log.warn(m, meta),
    info: (m, meta) => log.info(m, meta),
    debug: (m, meta) => log.debug(m, meta),
    isDebugEnabled: () => log.isDebugEnabled(),
  }, {
    onReadyChange: (ready, reason) => {
      readiness.set('loop', ready, reason);
      log.info(ready ? 'ready' : 'not ready', { reason });
    },
  });
  const watchers = [
    watchRedisHealth(client, { readiness, log, onUp: () => service.wake() }),
    warnWhenEvicting(client, log),
  ];
  const stopWatching = () => watchers.forEach((stop) => stop());

  if (cli.once) {
    const connected = await waitForConnection(client, log);
    const ok = connected && (await service.runOnce());
    stopWatching();
    client.disconnect();
    return ok ? 0 : 1;
  }

  // /readyz answers from the first moment, so a service that cannot reach Redis says why
  // (e.g. `redis: connect ECONNREFUSED ...`) instead of refusing the connection.
  const server = new MetricsServer({
    registry, readiness, host: config.METRICS_HOST, port: config.METRICS_PORT,
    config: redactedConfig(config, ALLOCATION_TARGET_CONFIG),
  });
  let stopping = false;
  onShutdownSignal(
    async () => {
      stopping = true;
      await shutDown({ service, server, client, stopWatching, log });
    },
    { logger: log, timeoutMs: 10_000 },
  );
  try {
    const address = await server.start();
    log.info('metrics server listening', { url: address.url });
  } catch (error) {
    log.error('metrics server failed to start', { error: { message: (error as Error).message } });
    stopWatching();
    client.disconnect();
    return 1;
  }
  // The first loop waits for the first connection (up to CONNECT_WAIT_MS), so that a start
  // against a Redis still coming up is not logged as a failed loop.
  void waitForConnection(client, log).then(() => {
    if (!stopping) service.start();
  });
  return new Promise<number>(() => undefined); // runs until a signal; onShutdownSignal exits
}

/** Waits up to CONNECT_WAIT_MS for the client to be ready; false (logged) when it is not. */
function waitForConnection(client: ReturnType<typeof createRedisClient>, log: ReturnType<typeof createLogger>): Promise<boolean> {
  return waitForReady(client, CONNECT_WAIT_MS).then(
    () => true,
    (error: unknown) => {
      log.error('redis unreachable', { error: { message: (error as Error).message } });
      return false;
    },
  );
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    process.stderr.write(`allocation-target: ${(error as Error)?.stack ?? String(error)}\n`);
    process.exitCode = 1;
  },
);
