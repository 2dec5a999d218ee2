/** What the simulator's routes share: companies, tokens, the clock and the records tests inspect. */
import type { HttpBindings } from "@hono/node-server";
import type { SimulatorClock } from "./clock";
import type { Company, CompanyOptions } from "./companies";
import type { InjectedFault, RequestKind } from "./fault-injection";
import type { AuthFaultStyle } from "./faults";
import type { TokenStore } from "./tokens";

/** One request the simulator received, in arrival order. */
export interface RequestRecord {
  /** Simulated time of arrival, ISO 8601. */
  at: string;
  method: string;
  path: string;
  /** The query string, with its "?", or "". */
  search: string;
  kind: RequestKind;
  realmId?: string;
  requestId?: string;
  /** The status answered; undefined while in flight, or when the connection was dropped. */
  status?: number;
  fault?: InjectedFault["kind"];
  /** A create answered from the requestid store rather than performed. */
  replayed: boolean;
}

/** A write daybook must never make (update, delete, or any write other than a journal entry create). */
export interface ForbiddenWrite {
  method: string;
  /** Path and query, e.g. /v3/company/123/journalentry?operation=delete */
  path: string;
  at: string;
}

export interface SimulatorState {
  readonly clock: SimulatorClock;
  readonly companies: Map<string, Company>;
  readonly tokens: TokenStore;
  readonly clientId: string;
  readonly clientSecret: string;
  /** Redirect URIs registered for the app; any http(s) URL when undefined. */
  readonly redirectUris: readonly string[] | undefined;
  readonly forbiddenWrites: ForbiddenWrite[];
  addCompany(options: CompanyOptions): Company;
  /** The shape of the next 401 body. */
  nextAuthFaultStyle(): AuthFaultStyle;
}

export interface SimulatorEnv {
  Bindings: HttpBindings & { record: RequestRecord };
}

export const JSON_HEADERS = { "Content-Type": "application/json;charset=UTF-8" } as const;
