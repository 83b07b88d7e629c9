import type Redis from 'ioredis';
import { GOVERNOR_CONFIG, type GovernorConfig } from '@quantum/config';
import { createMetricsRegistry, MetricsServer, ReadinessState, type BoundAddress } from '@quantum/metrics';
import { closeClient, createConsumerMetrics, createRedisClient, defaultConsumerName, StreamGroupConsumer, watchHealth, watchLiveness, type RedisSettings } from '@quantum/redis-streams';
import { redactedConfig, type Logger } from '@quantum/service-runtime';
import { Governor } from './governor';
import { MemoryPolicyGuard } from './memory-policy-guard';
import { MAX_ENTRY_BYTES } from './plan';
import { GOVERNOR_CONSUMER_METRIC_NAMES, GovernorMetrics } from './metrics';
import { governorSettings, startWarnings } from './settings';

export function redisSettingsFrom(c: GovernorConfig): RedisSettings {
  return {
    url: c.REDIS_URL, host: c.REDIS_HOST, port: c.REDIS_PORT, db: c.REDIS_DB,
    username: c.REDIS_USERNAME, password: c.REDIS_PASSWORD, tls: c.REDIS_TLS, tlsCaFile: c.REDIS_TLS_CA_FILE,
  };
}

/**
 * The running governor: Redis clients (a fail-fast command connection and a dedicated blocking
 * one), the decision handler, the stream consumer and the metrics server.
 */
export class GovernorService {
  readonly registry = createMetricsRegistry();
  readonly readiness = new ReadinessState(['redis', 'memory_policy', 'consumer']);
  private readonly command: Redis;
  private readonly blocking: Redis;
  private readonly read: Redis;
  private readonly stopWatching: (() => void)[];
  private readonly memoryPolicy: MemoryPolicyGuard;
  /** Consumer starts and stops in the order the memory policy asked for them. */
  private consumerTurn: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly consumer: StreamGroupConsumer;
  private readonly server: MetricsServer;
  readonly governor: Governor;

  constructor(
    private readonly config: GovernorConfig,
    private readonly logger: Logger,
  ) {
    const redisOptions = { ...redisSettingsFrom(config), app: 'governor', logger };
    this.command = createRedisClient(redisOptions, 'command');
    this.blocking = createRedisClient(redisOptions, 'blocking');
    this.read = createRedisClient(redisOptions, 'read');
    // /readyz says why Redis is unreachable (WRONGPASS, certificate, ...), not just "closed"
    const markRedis = (up: boolean, reason: string) => (up ? this.readiness.markHealthy('redis') : this.readiness.markUnhealthy('redis', reason));
    const onHung = (role: string) => (reason: string) => logger.warn('redis connection hung', { role, reason });
    this.stopWatching = [
      // a connection that stops answering never closes by itself: probe, drop and reconnect
      watchHealth(this.command, markRedis, { onHung: onHung('command') }),
      watchLiveness(this.read, { onHung: onHung('read') }),
    ];
    this.memoryPolicy = new MemoryPolicyGuard(this.command, {
      allowEviction: config.GOV_ALLOW_EVICTION,
      logger,
      onChange: (safe, reason) => {
        if (safe) this.readiness.markHealthy('memory_policy', reason);
        else this.readiness.markUnhealthy('memory_policy', reason);
        this.consumerTurn = this.consumerTurn.then(async () => {
          if (this.stopped) return;
          if (safe) this.consumer.start();
          else await this.consumer.stop();
        });
      },
    });

    const settings = governorSettings(config);
    for (const warning of startWarnings(settings)) logger.warn(warning);
    this.governor = new Governor(this.command, settings, {
      recorder: new GovernorMetrics(this.registry, () => this.readiness.ready, { symbolIdleSec: config.METRICS_SYMBOL_IDLE_SEC }),
      readRedis: this.read,
    });
    const consumerMetrics = createConsumerMetrics({ registry: this.registry, prefix: 'governor', names: GOVERNOR_CONSUMER_METRIC_NAMES });
    this.consumer = new StreamGroupConsumer({
      redis: this.command,
      blockingRedis: this.blocking,
      stream: settings.planStream,
      group: settings.group,
      consumer: config.GOV_CONSUMER_NAME ?? defaultConsumerName(),
      handler: this.governor,
      deadLetter: this.governor,
      batchSize: config.GOV_BATCH_SIZE,
      // read and prepare the next batches while Redis runs the scripts of the previous one; with
      // two, Redis still idled between batches (docs/governor.md "The stream consumer")
      maxBatchesInFlight: 3,
      blockMs: config.GOV_BLOCK_MS,
      claimIdleMs: config.GOV_CLAIM_IDLE_MS,
      maxDeliveries: config.GOV_MAX_DELIVERIES,
      // a value above the largest valid entry is never made a string whole: the entry is
      // entry_too_large whatever it holds
      maxValueBytes: MAX_ENTRY_BYTES,
      createFrom: '$',
      recreateFrom: '0',
      logger,
      observer: {
        ...consumerMetrics.observer,
        readiness: (ready, reason) => (ready ? this.readiness.markHealthy('consumer') : this.readiness.markUnhealthy('consumer', reason ?? 'not ready')),
      },
    });
    this.server = new MetricsServer({
      registry: this.registry, readiness: this.readiness, host: config.METRICS_HOST, port: config.METRICS_PORT,
      config: redactedConfig(config, GOVERNOR_CONFIG),
    });
  }

  get consumerName(): string {
    return this.consumer.consumerName;
  }

  async start(): Promise<BoundAddress> {
    const address = await this.server.start();
    // the consumer starts once Redis's memory policy is known to be safe (MemoryPolicyGuard)
    this.memoryPolicy.start();
    this.logger.info('governor started', {
      consumer: this.consumer.consumerName, stream: this.config.PLAN_STREAM, group: this.config.GOV_GROUP, mode: this.config.GOV_MODE, metrics: address.url,
    });
    return address;
  }

  /** Stops reading, finishes and acknowledges the batch in hand, closes everything. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.memoryPolicy.stop();
    await this.consumerTurn;
    await this.consumer.stop();
    await this.server.stop();
    for (const stop of this.stopWatching) stop();
    await Promise.allSettled([this.command, this.blocking, this.read].map((client) => closeClient(client)));
    this.logger.info('governor stopped');
  }
}
