/**
 * What the first use of a store a function does not make at start loads (lib/wiring/storage.ts): every
 * storage port on the table, from lib/store.
 */
export { createDynamoStorage } from "../../store/storage";
