import { CONFIG_ERROR_EXIT_CODE, describeConfig, exitOnConfigError, GOVERNOR_CONFIG, loadServiceConfig } from '@quantum/config';
import { RedisSettingsError } from '@quantum/redis-streams';
import { createLogger, onShutdownSignal, redactedConfig } from '@quantum/service-runtime';
import { GovernorService } from './service';

const USAGE = `governor: consumes intended trades (apply plans), runs the safety gates, writes single-use
permits with efficiency downsize hints, and audits every decision.

Usage: governor [--env-file <path>] [--help]
`;

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  if (argv.includes('--help') || argv.includes('-h')) {
    process.stdout.write(`${USAGE}\n${describeConfig(GOVERNOR_CONFIG)}\n`);
    return;
  }
  let loaded;
  try {
    loaded = loadServiceConfig(GOVERNOR_CONFIG, { argv, env: process.env });
  } catch (error) {
    exitOnConfigError(error);
  }
  const config = loaded.values;
  const logger = createLogger({ service: 'governor', level: config.LOG_LEVEL });
  logger.info('configuration', { config: redactedConfig(config, GOVERNOR_CONFIG), env_file: loaded.envFile ?? null });
  if (loaded.unknownFileVariables.length > 0) logger.warn('env file variables the governor does not read', { variables: loaded.unknownFileVariables });

  let service: GovernorService;
  try {
    service = new GovernorService(config, logger);
  } catch (error) {
    if (error instanceof RedisSettingsError) {
      process.stderr.write(`invalid configuration:\n${error.message}\n`);
      logger.error('invalid configuration', { problems: [error.message] });
      process.exit(CONFIG_ERROR_EXIT_CODE);
    }
    throw error;
  }
  onShutdownSignal(() => service.stop(), { logger, timeoutMs: 9_500 });
  await service.start();
}

main().catch((error: unknown) => {
  process.stderr.write(`governor failed to start: ${error instanceof Error ? error.stack ?? error.message : String(error)}\n`);
  process.exit(1);
});
