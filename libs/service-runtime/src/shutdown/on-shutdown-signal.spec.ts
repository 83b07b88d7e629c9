import { EventEmitter } from 'node:events';
import { onShutdownSignal } from './on-shutdown-signal';

function fakeProcess() {
  const target = new EventEmitter();
  const exits: number[] = [];
  return { target: target as unknown as Pick<NodeJS.Process, 'on' | 'off'>, emitter: target, exits, exit: (code: number) => void exits.push(code) };
}

const tick = (ms = 0) => new Promise((resolve) => setTimeout(resolve, ms));

describe('onShutdownSignal', () => {
  it('calls the handler once and exits 0 when it finishes', async () => {
    const fake = fakeProcess();
    const handler = jest.fn(async (_signal: NodeJS.Signals) => {
      await tick(20);
    });
    onShutdownSignal(handler, { target: fake.target, exit: fake.exit });
    fake.emitter.emit('SIGTERM', 'SIGTERM');
    await tick(50);
    expect(handler).toHaveBeenCalledTimes(1);
    expect(handler).toHaveBeenCalledWith('SIGTERM');
    expect(fake.exits).toEqual([0]);
  });

  it('forces exit 1 when the handler overruns the timeout', async () => {
    const fake = fakeProcess();
    onShutdownSignal(() => new Promise(() => undefined), { target: fake.target, exit: fake.exit, timeoutMs: 30 });
    fake.emitter.emit('SIGINT', 'SIGINT');
    await tick(60);
    expect(fake.exits).toEqual([1]);
  });

  it('exits 1 at once on a second signal, without calling the handler again', async () => {
    const fake = fakeProcess();
    const handler = jest.fn(() => new Promise<void>(() => undefined));
    onShutdownSignal(handler, { target: fake.target, exit: fake.exit, timeoutMs: 10_000 });
    fake.emitter.emit('SIGTERM', 'SIGTERM');
    fake.emitter.emit('SIGINT', 'SIGINT');
    await tick();
    expect(handler).toHaveBeenCalledTimes(1);
    expect(fake.exits).toEqual([1]);
  });

  it('exits 1 when the handler rejects, and logs it', async () => {
    const fake = fakeProcess();
    const logger = { info: jest.fn(), error: jest.fn() };
    onShutdownSignal(async () => { throw new Error('close failed'); }, { target: fake.target, exit: fake.exit, logger });
    fake.emitter.emit('SIGTERM', 'SIGTERM');
    await tick(10);
    expect(fake.exits).toEqual([1]);
    expect(logger.error).toHaveBeenCalledWith('shutdown failed', expect.objectContaining({ signal: 'SIGTERM' }));
  });

  it('can be removed', () => {
    const fake = fakeProcess();
    const remove = onShutdownSignal(() => undefined, { target: fake.target, exit: fake.exit });
    remove();
    expect(fake.emitter.listenerCount('SIGTERM')).toBe(0);
  });
});
