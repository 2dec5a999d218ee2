/**
 * The subset of QuickBooks' query language daybook uses (qbo.md §3.2, §4.1):
 *
 *   SELECT * FROM JournalEntry WHERE DocNumber = '…' [AND TxnDate = '…']
 *   SELECT * FROM Account [WHERE Active = true|false] [AND Classification = '…'] [AND AccountType = '…']
 *   SELECT * FROM Department [WHERE Active = true|false] [AND Name = '…']   (Locations, in QuickBooks' screens)
 *   SELECT * FROM Class [WHERE Active = true|false] [AND Name = '…']
 *   … [STARTPOSITION n] [MAXRESULTS m]
 *
 * Keywords are case-insensitive; entity and property names are not. Strings are single-quoted with
 * `\'` escapes. Anything else is refused with a QueryParserError (4000) or QueryValidationError (4001)
 * fault, never silently answered.
 */
import { accountResource, classResource, type Company, departmentResource } from "./companies";
import { SimulatorFault } from "./faults";

interface Token {
  kind: "word" | "string" | "number" | "symbol";
  text: string;
  column: number;
}

type Literal = { kind: "string"; value: string } | { kind: "boolean"; value: boolean };

interface Condition {
  field: string;
  literal: Literal;
  column: number;
}

export interface ParsedQuery {
  entity: string;
  conditions: Condition[];
  startPosition: number;
  maxResults: number;
}

const DEFAULT_MAX_RESULTS = 100;
const MAX_RESULTS_CAP = 1000;

function parserError(detail: string): SimulatorFault {
  return new SimulatorFault(400, "ValidationFault", [{ Message: "Error parsing query", Detail: `QueryParserError: ${detail}`, code: "4000" }]);
}

function validationError(detail: string): SimulatorFault {
  return new SimulatorFault(400, "ValidationFault", [{ Message: "Invalid query", Detail: `QueryValidationError: ${detail}`, code: "4001" }]);
}

function tokenize(query: string): Token[] {
  const tokens: Token[] = [];
  let i = 0;
  while (i < query.length) {
    const char = query.charAt(i);
    const column = i + 1;
    if (/\s/.test(char)) {
      i += 1;
    } else if (char === "'") {
      let value = "";
      i += 1;
      for (;;) {
        if (i >= query.length) throw parserError(`Lexical error at line 1, column ${column}: unterminated string.`);
        const next = query.charAt(i);
        if (next === "\\" && i + 1 < query.length) {
          value += query.charAt(i + 1);
          i += 2;
        } else if (next === "'") {
          i += 1;
          break;
        } else {
          value += next;
          i += 1;
        }
      }
      tokens.push({ kind: "string", text: value, column });
    } else {
      const match = /^(?:[A-Za-z_][A-Za-z0-9_.]*|\d+|<=|>=|!=|[=<>*(),])/.exec(query.slice(i));
      if (!match) throw parserError(`Lexical error at line 1, column ${column}. Encountered: "${char}"`);
      const text = match[0];
      const kind = /^[A-Za-z_]/.test(text) ? "word" : /^\d/.test(text) ? "number" : "symbol";
      tokens.push({ kind, text, column });
      i += text.length;
    }
  }
  return tokens;
}

class Parser {
  #position = 0;
  constructor(
    private readonly tokens: Token[],
    private readonly length: number,
  ) {}

  peek(): Token | undefined {
    return this.tokens[this.#position];
  }

  isKeyword(keyword: string): boolean {
    const token = this.peek();
    return token?.kind === "word" && token.text.toUpperCase() === keyword;
  }

  unexpected(expecting: string): SimulatorFault {
    const token = this.peek();
    if (!token) return parserError(`Encountered "<EOF>" at line 1, column ${this.length + 1}. Was expecting: ${expecting}`);
    return parserError(`Encountered " ${token.text} " at line 1, column ${token.column}. Was expecting: ${expecting}`);
  }

  next(kind: Token["kind"], expecting: string): Token {
    const token = this.peek();
    if (token?.kind !== kind) throw this.unexpected(expecting);
    this.#position += 1;
    return token;
  }

  keyword(keyword: string): void {
    if (!this.isKeyword(keyword)) throw this.unexpected(keyword);
    this.#position += 1;
  }

  symbol(symbol: string): void {
    const token = this.peek();
    if (token?.kind !== "symbol" || token.text !== symbol) throw this.unexpected(`"${symbol}"`);
    this.#position += 1;
  }

  number(keyword: string): number {
    const value = Number(this.next("number", `a number after ${keyword}`).text);
    if (!Number.isSafeInteger(value) || value < 1) throw validationError(`${keyword} must be a whole number of at least 1`);
    return value;
  }

  literal(): Literal {
    const token = this.peek();
    if (token?.kind === "string") {
      this.#position += 1;
      return { kind: "string", value: token.text };
    }
    if (token?.kind === "word" && /^(true|false)$/i.test(token.text)) {
      this.#position += 1;
      return { kind: "boolean", value: token.text.toLowerCase() === "true" };
    }
    throw this.unexpected("a quoted string, true or false");
  }
}

export function parseQuery(query: string): ParsedQuery {
  const parser = new Parser(tokenize(query), query.length);
  parser.keyword("SELECT");
  parser.symbol("*");
  parser.keyword("FROM");
  const entity = parser.next("word", "an entity name").text;
  const conditions: Condition[] = [];
  if (parser.isKeyword("WHERE")) {
    parser.keyword("WHERE");
    do {
      if (conditions.length > 0) parser.keyword("AND");
      const field = parser.next("word", "a property name");
      parser.symbol("=");
      conditions.push({ field: field.text, literal: parser.literal(), column: field.column });
    } while (parser.isKeyword("AND"));
  }
  let startPosition: number | undefined;
  let maxResults: number | undefined;
  while (parser.peek()) {
    if (startPosition === undefined && parser.isKeyword("STARTPOSITION")) {
      parser.keyword("STARTPOSITION");
      startPosition = parser.number("STARTPOSITION");
    } else if (maxResults === undefined && parser.isKeyword("MAXRESULTS")) {
      parser.keyword("MAXRESULTS");
      maxResults = parser.number("MAXRESULTS");
    } else {
      throw parser.unexpected("STARTPOSITION, MAXRESULTS or the end of the query");
    }
  }
  return { entity, conditions, startPosition: startPosition ?? 1, maxResults: Math.min(maxResults ?? DEFAULT_MAX_RESULTS, MAX_RESULTS_CAP) };
}

type FieldKind = "string" | "boolean";

const QUERYABLE: Readonly<Record<string, Readonly<Record<string, FieldKind>>>> = {
  JournalEntry: { Id: "string", DocNumber: "string", TxnDate: "string" },
  Account: { Id: "string", Name: "string", Active: "boolean", Classification: "string", AccountType: "string" },
  Department: { Id: "string", Name: "string", Active: "boolean" },
  Class: { Id: "string", Name: "string", Active: "boolean" },
};

/** A name list's records that `keep` keeps, as QuickBooks returns them. */
function nameListRows(company: Company, entity: string, keep: (record: object) => boolean): Record<string, unknown>[] {
  if (entity === "Department") return [...company.departments.values()].filter(keep).map((record) => departmentResource(company, record));
  if (entity === "Class") return [...company.classes.values()].filter(keep).map((record) => classResource(company, record));
  return [...company.accounts.values()].filter(keep).map((record) => accountResource(company, record));
}

function matches(record: object, condition: Condition): boolean {
  return Reflect.get(record, condition.field) === condition.literal.value;
}

/** Runs a query against one company; returns the response body (without `time`). */
export function runQuery(company: Company, query: string): { QueryResponse: Record<string, unknown> } {
  const parsed = parseQuery(query);
  const fields = QUERYABLE[parsed.entity];
  if (!fields) throw validationError(`${parsed.entity} is not an entity the simulator can query (JournalEntry, Account, Department, Class)`);
  for (const condition of parsed.conditions) {
    const kind = fields[condition.field];
    if (!kind) throw validationError(`property '${condition.field}' is not queryable on ${parsed.entity}`);
    if (kind !== condition.literal.kind) throw validationError(`property '${condition.field}' needs a ${kind} value`);
  }

  let rows: Record<string, unknown>[];
  if (parsed.entity === "JournalEntry") {
    rows = company.journalEntries.map((entry) => entry.resource).filter((row) => parsed.conditions.every((c) => matches(row, c)));
  } else {
    // Name lists return active records only unless the query says otherwise (qbo.md §4.1).
    const conditions = parsed.conditions.some((c) => c.field === "Active")
      ? parsed.conditions
      : [...parsed.conditions, { field: "Active", literal: { kind: "boolean" as const, value: true }, column: 0 }];
    rows = nameListRows(company, parsed.entity, (row) => conditions.every((c) => matches(row, c)));
  }
  rows.sort((a, b) => Number(a.Id) - Number(b.Id));
  const page = rows.slice(parsed.startPosition - 1, parsed.startPosition - 1 + parsed.maxResults);
  if (page.length === 0) return { QueryResponse: {} };
  return { QueryResponse: { [parsed.entity]: structuredClone(page), startPosition: parsed.startPosition, maxResults: page.length } };
}
