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
