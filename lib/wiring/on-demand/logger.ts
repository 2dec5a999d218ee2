/** What the first log line of the api and the worker loads (lib/wiring/logger.ts): Powertools Logger. */
export { Logger } from "@aws-lambda-powertools/logger";
