/** What a function's first log line loads (lib/wiring/logger.ts): Powertools Logger. */
export { Logger } from "@aws-lambda-powertools/logger";
