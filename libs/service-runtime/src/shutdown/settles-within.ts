/**
 * Whether `promise` settles (resolves or rejects) within `ms`; the timer does not outlive the
 * answer. For shutdown steps that must not wait longer than the time a process has to stop.
 */
export async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  try {
    return await Promise.race([promise.then(() => true, () => true), late]);
  } finally {
    clearTimeout(timer);
  }
}
