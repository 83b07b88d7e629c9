import type Redis from 'ioredis';

/**
 * Closes a client whatever state its connection is in: QUIT (waiting at most `quitWaitMs` for the
 * reply) when the connection is ready, then drop it. A QUIT sent to a Redis that is away or hung
 * would wait for a reply that never comes, so such a connection is only dropped.
 */
export async function closeClient(client: Redis, quitWaitMs = 1000): Promise<void> {
  if (client.status === 'ready') {
    let timer: NodeJS.Timeout | undefined;
    const waited = new Promise<void>((resolve) => (timer = setTimeout(resolve, quitWaitMs)));
    await Promise.race([client.quit().catch(() => undefined), waited]);
    clearTimeout(timer);
  }
  client.disconnect();
}
