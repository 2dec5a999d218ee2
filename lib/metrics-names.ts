/**
 * Names shared by the functions that emit metrics (Powertools Metrics) and the stack that alarms on
 * them (infra/stack.ts): a renamed metric here changes both, so an alarm cannot watch a metric nobody sends.
 * Powertools adds a `service` dimension from the service name; the alarm asks for the same one.
 */
export const METRICS_NAMESPACE = "daybook";

export const SERVICE_NAMES = {
  api: "daybook-api",
  scheduler: "daybook-scheduler",
  worker: "daybook-worker",
} as const;

export const METRIC_NAMES = {
  /** A location-day that ended failed after its last attempt (Count, service = SERVICE_NAMES.worker). */
  failedDays: "FailedDays",
  /** An email the daily caps held back (Count; any service that sends email): lib/email/caps.ts. */
  emailsHeld: "EmailsHeld",
} as const;
