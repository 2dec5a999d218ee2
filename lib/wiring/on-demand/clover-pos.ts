/**
 * What the first Clover read of a process loads (lib/wiring/provider-apis.ts): Clover's reader and what
 * reads and summarises a location's days and nights. A Square job never loads it.
 */
export { createCloverReader } from "../../pos/clover/client";
export { summariseCloverLocationDay } from "../../pos/clover/day";
export { readCloverNight } from "../../pos/clover/night";
