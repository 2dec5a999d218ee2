/**
 * What the first call of a Store method a night does not use loads in the worker (lib/wiring/worker.ts's
 * jobStores, lib/wiring/lazy.ts partlyOnDemand): the whole Store on the table.
 */
export { createDynamoStore } from "../../store/dynamo";
