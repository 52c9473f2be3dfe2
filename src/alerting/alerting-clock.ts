/** The time the alerting jobs go by (rate-limit windows, LinkFailed checks, Alertmanager pushes). */
export interface AlertingClock {
  now(): Date;
}

/** Injection token of the AlertingClock: the system clock, replaced by tests with a simulated one. */
export const ALERTING_CLOCK = Symbol('ALERTING_CLOCK');

export const systemClock: AlertingClock = { now: () => new Date() };
