/**
 * The QuickBooks client loads faults.ts only for an answer that may be a fault (mayHoldFault): every
 * body parseFault reads as a fault must pass that check, or a fault would be taken for an answer. And a
 * fault in a 2xx answer (QuickBooks sends some) still fails the call, classified as before. The 200 with
 * a Fault body is not something the QuickBooks simulator sends, so the client's fetch port answers it here.
 */
import { describe, expect, it } from "vitest";
import type { JournalEntryBody } from "../../lib/domain/journal-entry";
import { createQuickBooksClient, mayHoldFault } from "../../lib/quickbooks/client";
import { parseFault } from "../../lib/quickbooks/faults";
import { QuickBooksError } from "../../lib/quickbooks/types";

const bodies: [string, unknown, boolean][] = [
  ["a Fault", { Fault: { Error: [{ Message: "m", Detail: "d", code: "6210" }], type: "ValidationFault" } }, true],
  ["a fault in lower case, beside other keys", { warnings: null, fault: { error: [{ message: "m", code: "3200" }], type: "AUTHENTICATION" } }, true],
  ["a FAULT in capitals", { FAULT: { ERROR: [{ CODE: "003001" }] } }, true],
  ["an OAuth error", { error: "invalid_grant" }, true],
  ["an OAuth Error with its description", { Error: "invalid_client", error_description: "no" }, true],
  ["a created journal entry", { JournalEntry: { Id: "1", TxnDate: "2025-03-14" }, time: "2025-03-15T01:00:00Z" }, false],
  ["a query's answer", { QueryResponse: { JournalEntry: [{ Id: "1", TxnDate: "2025-03-14" }] } }, false],
  ["a fault nested below the top level", { JournalEntry: { Fault: { Error: [{ code: "6210" }] } } }, false],
  ["an array", [{ Fault: { Error: [{ code: "6210" }] } }], false],
  ["null", null, false],
  ["a string", "Fault", false],
  ["a number", 401, false],
];

describe("which QuickBooks bodies may be faults", () => {
  it.each(bodies)("%s", (_name, body, mayBe) => {
    expect(mayHoldFault(body)).toBe(mayBe);
    // What parseFault reads as a fault always passes the check; what fails the check is never one.
    if (parseFault(body) !== undefined) expect(mayHoldFault(body)).toBe(true);
    if (!mayHoldFault(body)) expect(parseFault(body)).toBeUndefined();
  });
});

describe("a fault in a 2xx answer", () => {
  const entry: JournalEntryBody = {
    TxnDate: "2025-03-14", DocNumber: "DB250314-7K2QXM", PrivateNote: "Posted by daybook; test.",
    Line: [{ Description: "Card payments", Amount: 1, DetailType: "JournalEntryLineDetail", JournalEntryLineDetail: { PostingType: "Debit", AccountRef: { value: "1" } } }],
  };
  const clientAnswering = (status: number, body: unknown) => createQuickBooksClient({
    baseUrl: "https://quickbooks.invalid", realmId: "123", maxAttempts: 1,
    tokens: { accessToken: () => Promise.resolve("access"), refresh: () => Promise.resolve("access") },
    fetch: () => Promise.resolve(new Response(JSON.stringify(body), { status, headers: { intuit_tid: "tid-1" } })),
    sleep: () => Promise.resolve(),
  });

  it("fails the call as the fault says: closed books need the merchant", async () => {
    const fault = { Fault: { Error: [{ Message: "closed", Detail: "The books are closed", code: "6210" }], type: "ValidationFault" } };
    const failure = await clientAnswering(200, fault).createJournalEntry(entry, "req-1").catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(QuickBooksError);
    expect(failure).toMatchObject({ kind: "needs-merchant", details: { status: 200, code: "6210", intuitTid: "tid-1" } });
    expect((failure as Error).message).toMatch(/books are closed for Friday 14 March 2025/);
  });

  it("reads an answer without a fault key as the answer", async () => {
    const created = await clientAnswering(200, { JournalEntry: { Id: "7", DocNumber: "DB250314-7K2QXM", TxnDate: "2025-03-14" } }).createJournalEntry(entry, "req-1");
    expect(created).toEqual({ id: "7", docNumber: "DB250314-7K2QXM", txnDate: "2025-03-14" });
  });
});
