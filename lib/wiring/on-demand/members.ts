/**
 * What the worker's first call of a MemberStore method a night does not use loads (lib/wiring/worker.ts's
 * jobStores): the whole members' store.
 */
export { createDynamoMemberStore } from "../../store/members";
