// A tiny service start: load the config, exit 78 on a bad value before anything else.
import { ALLOCATION_TARGET_CONFIG, exitOnConfigError, loadServiceConfig } from '../src';

try {
  loadServiceConfig(ALLOCATION_TARGET_CONFIG, { argv: process.argv.slice(2), env: process.env });
} catch (error) {
  exitOnConfigError(error);
}
process.stdout.write('started\n');
