/**
 * What the first refused connection of a process loads (lib/wiring/services.ts's connectionRefused):
 * the reconnect email and what stops the locations that need the connection; and, from the same
 * module, the email asking to reconnect Square for payouts (lib/wiring/sync-ports.ts) and the sending
 * again of a reconnect request or a stopped-posting notice the caps held back (the refresh sweep:
 * lib/wiring/worker.ts).
 */
export { reconnectNotifier, sendOwedReconnect, sendPayoutsScopeEmail } from "../../connections/reconnect-email";
export { reconcilePostingStatus, sendOwedPostingNotices } from "../../locations/posting-status";
