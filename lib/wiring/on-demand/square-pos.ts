/**
 * What the first Square read of a process loads (lib/wiring/provider-apis.ts): Square's reader (the SDK
 * itself loads with its first call) and what reads and summarises a location's days and nights. A
 * Clover job never loads it.
 */
export { createSquareReader } from "../../pos/square/client";
export { createRawResponseCaller } from "../../pos/square/raw-responses";
export { summariseSquareLocationDay } from "../../pos/square/day";
export { readSquareNight } from "../../pos/square/night";
