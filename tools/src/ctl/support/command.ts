/** The shape of a `ctl` command module (as registered in `tools/src/ctl/main.ts`). */
export interface CtlCommandModule {
  readonly name: string;
  readonly summary: string;
  readonly usage: string;
  run(argv: readonly string[]): Promise<number>;
}

/** Resolves when the process gets SIGINT or SIGTERM (the handlers are removed by `dispose`). */
export function onStopSignal(stop: (signal: NodeJS.Signals) => void): { dispose(): void } {
  const handler = (signal: NodeJS.Signals) => stop(signal);
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return {
    dispose() {
      process.off('SIGINT', handler);
      process.off('SIGTERM', handler);
    },
  };
}
