import { EventEmitter } from 'node:events';
import type Redis from 'ioredis';
import { watchConnection } from './wait-for-ready';

function fakeClient(status = 'connecting'): Redis & EventEmitter {
  const emitter = new EventEmitter() as EventEmitter & { status: string };
  emitter.status = status;
  return emitter as unknown as Redis & EventEmitter;
}

describe('watchConnection reasons', () => {
  it('before the first connection, the reason becomes each new distinct connection error (e.g. a TLS error)', () => {
    const c = fakeClient();
    const calls: [boolean, string][] = [];
    watchConnection(c, (up, reason) => calls.push([up, reason]));
    c.emit('error', new Error('self-signed certificate in certificate chain'));
    c.emit('close');
    c.emit('error', new Error('self-signed certificate in certificate chain'));
    c.emit('close');
    expect(calls).toEqual([[false, 'status connecting'], [false, 'self-signed certificate in certificate chain']]);
  });

  it('after the first connection, only up/down changes are reported', () => {
    const c = fakeClient();
    const calls: [boolean, string][] = [];
    watchConnection(c, (up, reason) => calls.push([up, reason]));
    c.emit('ready');
    c.emit('error', new Error('read ECONNRESET'));
    c.emit('close');
    c.emit('error', new Error('connect ECONNREFUSED'));
    c.emit('close');
    c.emit('ready');
    expect(calls).toEqual([[false, 'status connecting'], [true, 'connected'], [false, 'read ECONNRESET'], [true, 'connected']]);
  });
});
