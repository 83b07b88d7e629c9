/** One Redis command as data, so that it can be batched, grouped atomically or inspected in tests. */
export type RedisArgument = string | number | Buffer;

export interface RedisCommand {
  /** Command name, e.g. `XADD`, `HSET`. */
  readonly name: string;
  readonly args: readonly RedisArgument[];
}

export function redisCommand(name: string, ...args: RedisArgument[]): RedisCommand {
  return { name, args };
}

/** `NAME arg1 arg2 ...` with long arguments shortened, for error messages. */
export function describeCommand(command: RedisCommand): string {
  const args = command.args.slice(0, 4).map((arg) => {
    const text = Buffer.isBuffer(arg) ? `<${arg.length} bytes>` : String(arg);
    return text.length > 60 ? `${text.slice(0, 57)}...` : text;
  });
  return [command.name.toUpperCase(), ...args, ...(command.args.length > 4 ? ['...'] : [])].join(' ');
}
