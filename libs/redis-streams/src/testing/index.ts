export { findFreePort } from './free-port';
export { RedisServerProcess, redisServerAvailable, type RedisServerProcessOptions } from './redis-server-process';
export { startThrowawayRedis, INSTALL_HINT, type ThrowawayRedis } from './throwaway-redis';
export { FreezableProxy } from './freezable-proxy';
