/** The parts of dynalite (an embedded DynamoDB-compatible server, CommonJS, untyped) the local stack uses. */
declare module "dynalite" {
  import type { Server } from "node:http";

  interface DynaliteOptions {
    /** The LevelDB folder; in memory when left out. */
    path?: string;
    /** How long new, deleted and updated tables stay CREATING, DELETING, UPDATING (default 500 ms). */
    createTableMs?: number;
    deleteTableMs?: number;
    updateTableMs?: number;
  }

  export default function dynalite(options?: DynaliteOptions): Server;
}
