/** One component's health as reported on `/readyz`. */
export interface ComponentHealth {
  readonly healthy: boolean;
  /** Why it is unhealthy (or a short note when healthy). */
  readonly reason: string;
  /** Epoch milliseconds of the last change. */
  readonly since: number;
}

export interface ReadinessReport {
  readonly ready: boolean;
  /** `component: reason` of every unhealthy component (empty when ready). */
  readonly reasons: string[];
  readonly components: Record<string, ComponentHealth>;
}

/** Anything `/readyz` can ask. */
export interface ReadinessCheck {
  readiness(): ReadinessReport | Promise<ReadinessReport>;
}

/**
 * Named components (e.g. `redis`, `loop`, `consumer`) marked healthy or unhealthy with a reason.
 * Ready when every registered component is healthy; a component registered but never reported
 * is unhealthy ("not checked yet"), so a service is not ready before its first successful round.
 */
export class ReadinessState implements ReadinessCheck {
  private readonly components = new Map<string, ComponentHealth>();

  constructor(
    components: readonly string[] = [],
    private readonly now: () => number = Date.now,
  ) {
    for (const name of components) this.components.set(name, { healthy: false, reason: 'not checked yet', since: this.now() });
  }

  markHealthy(component: string, note = 'ok'): void {
    this.set(component, true, note);
  }

  markUnhealthy(component: string, reason: string): void {
    this.set(component, false, reason);
  }

  set(component: string, healthy: boolean, reason: string): void {
    const current = this.components.get(component);
    if (current && current.healthy === healthy && current.reason === reason) return;
    this.components.set(component, { healthy, reason, since: this.now() });
  }

  get ready(): boolean {
    return [...this.components.values()].every((health) => health.healthy);
  }

  readiness(): ReadinessReport {
    const components = Object.fromEntries(this.components);
    const reasons = [...this.components].filter(([, health]) => !health.healthy).map(([name, health]) => `${name}: ${health.reason}`);
    return { ready: reasons.length === 0, reasons, components };
  }
}
