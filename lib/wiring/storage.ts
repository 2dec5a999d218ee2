/**
 * The table's storage for a runtime that uses only some of its stores on most invocations: the ports
 * it names are made at start, every other one on its first call (lib/wiring/lazy.ts's lazyPort), from
 * lib/store/storage.ts's createDynamoStorage loaded then (in the Lambda bundles a chunk of its own):
 * their modules, and the schemas they build, load with the first call that needs one.
 */
import type { DynamoStorageOptions, Storage } from "../store/storage";
import { type AsyncPort, lazy, lazyPort } from "./lazy";

/** Every port of Storage, once (the type checks the list is whole). */
const PORTS = {
  store: true, auth: true, reports: true, recipients: true, settings: true, dueIndex: true, backfills: true, members: true, apiKeys: true,
  payouts: true, carries: true, digests: true, seenWarnings: true, heldEmails: true,
} as const satisfies Record<keyof Storage, true>;

/** Every port's members are async methods, so a port made on first call stands in for it (lazyPort). */
type AllAsync = { [K in keyof Storage]: Storage[K] extends AsyncPort<Storage[K]> ? true : false };
const ALL_ASYNC: AllAsync = PORTS;

/** Storage with the ports in `atStart` as they are and every other one made on its first call. */
export function storageOnDemand(options: DynamoStorageOptions, atStart: Partial<Storage> = {}): Storage {
  const all = lazy(async () => (await import("./on-demand/storage")).createDynamoStorage(options));
  const port = (key: keyof Storage) => atStart[key] ?? lazyPort(async () => (await all.get())[key] as unknown as AsyncPort<Record<string, () => Promise<unknown>>>);
  return Object.fromEntries(Object.keys(ALL_ASYNC).map((key) => [key, port(key as keyof Storage)])) as unknown as Storage;
}
