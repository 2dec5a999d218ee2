/**
 * The event the refresh sweep's schedule sends the worker (infra/stack.ts), told apart from an SQS
 * batch by it. Apart from the sweep itself (refresh-sweep.ts), which the worker loads on the sweep's
 * invocations only: a night's job runs none of it.
 */
export const REFRESH_SWEEP_EVENT = { daybook: "refresh-sweep" } as const;

export function isRefreshSweepEvent(event: unknown): event is typeof REFRESH_SWEEP_EVENT {
  return typeof event === "object" && event !== null && (event as { daybook?: unknown }).daybook === REFRESH_SWEEP_EVENT.daybook;
}
