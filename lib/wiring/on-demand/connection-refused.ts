/**
 * What the first refused connection of a process loads (lib/wiring/services.ts's connectionRefused):
 * the reconnect email and what stops the locations that need the connection.
 */
export { reconnectNotifier } from "../../connections/reconnect-email";
export { reconcilePostingStatus } from "../../locations/posting-status";
