/** What the first tick with digests due loads (lib/wiring/scheduler.ts): what builds and sends them. */
export { sendDueDigests } from "../../report/digest";
