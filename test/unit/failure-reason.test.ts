import { describe, expect, it } from "vitest";
import type { Connection, ConnectionStatus, ProviderName } from "../../lib/model";
import { OAuthError } from "../../lib/oauth/provider";
import { CloverRequestError } from "../../lib/pos/clover/errors";
import { SquareRequestError } from "../../lib/pos/square/errors";
import { describeFault } from "../../lib/quickbooks/faults";
import { QuickBooksError } from "../../lib/quickbooks/types";
import { renderEmail } from "../../lib/report/email-document";
import { dayReportDocument } from "../../lib/report/sync-report";
import { classify, failureRecord, SyncError, withReconnectMarking } from "../../lib/sync/sync-day";

/** The two store calls withReconnectMarking makes, over one connection kept in memory. */
function connectionPorts(provider: ProviderName) {
  const connection: Connection = { merchantId: "m1", connectionId: `${provider}-1`, provider, status: "active", externalId: "X1", tokenCiphertext: "c", tokenVersion: 1,
    createdAt: "2025-06-01T00:00:00.000Z", updatedAt: "2025-06-01T00:00:00.000Z",
  };
  const told: string[] = [];
  const ports = {
    store: {
      getConnection: async () => Promise.resolve({ ...connection }),
      setConnectionStatus: async (_merchantId: string, _connectionId: string, status: ConnectionStatus, reason?: string) => {
        connection.status = status;
        if (reason !== undefined) connection.statusReason = reason;
        return Promise.resolve();
      },
    },
    onNeedsReconnect: (refused: Connection) => {
      told.push(refused.connectionId);
    },
  } as unknown as Parameters<typeof withReconnectMarking>[0];
  return { connection, told, ports };
}

async function failureOf(provider: ProviderName, error: Error): Promise<{ thrown: unknown; connection: Connection; told: string[] }> {
  const { connection, told, ports } = connectionPorts(provider);
  const thrown = await withReconnectMarking(ports, { ...connection }, () => Promise.reject(error)).then(() => undefined, (caught: unknown) => caught);
  return { thrown, connection, told };
}

/** The failed day's report as the merchant's alert and the day page give it, on one line. */
function reportText(failure: { kind: "needs-reconnect" | "retryable" | "bug" | "needs-merchant"; message: string; intuitTid?: string }): string {
  const document = dayReportDocument({
    merchantName: "Main Street Coffee", locationName: "Main Street", source: "square", businessDay: "2025-06-14", timeZone: "America/New_York",
    status: "failed", failure, connectionsUrl: "https://daybook.example/connections", warnings: [], reportUrl: "https://daybook.example/days/L1/2025-06-14",
  });
  return renderEmail(document).text.replace(/\s+/g, " ");
}

const PROVIDER_JARGON = /access token|401|403|UNAUTHORIZED|invalid_grant|SearchOrders|the merchant must/i;

describe("a failure's reason as the merchant and the accountant read it", () => {
  it("says a refused Square connection in plain words, whose side it is on; Square's own words stay in the detail, for the operator", async () => {
    const said = "Square rejected the access token on SearchOrders (401 UNAUTHORIZED); the merchant must reconnect Square.";
    const { thrown, connection, told } = await failureOf("square", new SquareRequestError(said, "needs-reconnect", 401, "UNAUTHORIZED"));
    expect(thrown).toBeInstanceOf(SyncError);
    const plain = "Square no longer accepts daybook's connection to the Square account: it was revoked or has expired.";
    expect(thrown).toMatchObject({ kind: "needs-reconnect", message: plain, detail: said });
    // The connection is marked, and the merchant told, as before; the connections page gives the same words.
    expect(connection).toMatchObject({ status: "needs-reconnect", statusReason: plain });
    expect(told).toEqual(["square-1"]);
    expect(failureRecord(thrown as SyncError, new Date("2025-06-15T09:00:00Z"))).toEqual({ kind: "needs-reconnect", message: plain, detail: said, at: "2025-06-15T09:00:00.000Z" });

    const text = reportText({ kind: "needs-reconnect", message: plain });
    expect(text).toContain(`Nothing was posted. Reason: ${plain} Reconnect on the connections page (only the business's owner can).`);
    expect(text).not.toMatch(PROVIDER_JARGON);
  });

  it("says a Square refusal of access (403) as access Square does not give, not as an expired connection", async () => {
    const { thrown } = await failureOf("square", new SquareRequestError("Square refused ListPayouts for this connection (403 INSUFFICIENT_SCOPES)", "needs-reconnect", 403, "INSUFFICIENT_SCOPES"));
    expect(thrown).toMatchObject({ kind: "needs-reconnect", message: "Square does not let daybook's connection read what daybook needs for this location." });
  });

  it("names the provider of the connection for a refused refresh (the token keeper's error does not say which)", async () => {
    const clover = await failureOf("clover", new OAuthError("Clover no longer accepts daybook's authorization (HTTP 401) while trying to refresh the access token: reconnect Clover in daybook.", "needs-reconnect"));
    expect(clover.thrown).toMatchObject({ message: "Clover no longer accepts daybook's connection to the Clover account: daybook was uninstalled there, or its access expired or changed." });
    const quickBooks = await failureOf("quickbooks", new OAuthError("The quickbooks connection qb-1 is no longer active (invalid_grant): reconnect it in daybook.", "needs-reconnect"));
    expect(quickBooks.thrown).toMatchObject({ message: "QuickBooks no longer accepts daybook's connection to the company: it was disconnected in QuickBooks or has expired, or no longer has the access daybook needs." });
  });

  it("says QuickBooks' refusal, busy answer and a request it refused in plain words, keeping the reference Intuit's support asks for", () => {
    const refused = classify(new QuickBooksError("QuickBooks no longer accepts daybook's connection (error 3200). Reconnect QuickBooks in daybook. [intuit_tid 1-abc]", "needs-reconnect", { status: 401, code: "3200", intuitTid: "1-abc" }));
    expect(refused).toMatchObject({ kind: "needs-reconnect", intuitTid: "1-abc", detail: expect.stringContaining("error 3200") as string });
    expect(refused.message).not.toMatch(/3200|intuit_tid/);
    const busy = classify(new QuickBooksError("QuickBooks could not post journal entry DB250614-AB12CD (HTTP 503); daybook will try again later. (3 attempts)", "retryable", { status: 503 }));
    expect(busy.message).toBe("QuickBooks did not answer in time, or said it was busy or failing: nothing in your QuickBooks company needs changing.");
    const bug = classify(new QuickBooksError("QuickBooks rejected the request to post journal entry DB250614-AB12CD (HTTP 400, error 2020: Required param missing).", "bug", { status: 400, code: "2020" }));
    // Whose fault it is, the report's next step says once.
    expect(bug.message).toBe("QuickBooks refused a request daybook made, or answered in a way daybook cannot read.");
    expect(reportText({ kind: "bug", message: bug.message }).match(/fault in daybook/g)).toHaveLength(1);
    // What only the merchant can change is already said for them (the closed books, an inactive account): as it was.
    const closed = "QuickBooks refused the entry because the books are closed for Saturday 14 June 2025 (error 6210). Ask your accountant to reopen that period, or post the entry on a later date.";
    expect(classify(new QuickBooksError(closed, "needs-merchant", { status: 400, code: "6210" })).message).toBe(closed);
  });

  it("says a provider that did not answer is nothing the merchant must change, and a Clover order that kept changing among the causes", async () => {
    const { thrown } = await failureOf("clover", new CloverRequestError("A Clover order kept changing while it was read (3 times); try again later.", "retryable"));
    expect(thrown).toMatchObject({ kind: "retryable", message: "Clover did not answer in time, or said it was busy or failing, or an order kept changing while daybook read it: nothing in your Clover account needs changing." });
    const square = await failureOf("square", new SquareRequestError("Square kept failing SearchOrders after 2 retries (503 SERVICE_UNAVAILABLE); try again later.", "retryable", 503));
    expect(reportText({ kind: "retryable", message: (square.thrown as SyncError).message })).not.toMatch(/SearchOrders|503|SERVICE_UNAVAILABLE/);
  });

  it("gives QuickBooks' reference for support once, on its own line, not inside the reason; daybook's name keeps its small d", () => {
    const closed = "QuickBooks refused the entry because the books are closed for Saturday 14 June 2025 (error 6210). Ask your accountant to reopen that period, or post the entry on a later date. [intuit_tid 1-abc]";
    const recorded = failureRecord(new SyncError(closed, "needs-merchant", "1-abc"), new Date("2025-06-15T09:00:00Z"));
    expect(recorded).toMatchObject({ intuitTid: "1-abc", message: closed.replace(" [intuit_tid 1-abc]", "") });
    const text = reportText(recorded);
    expect(text).not.toContain("intuit_tid");
    expect(text.match(/1-abc/g)).toHaveLength(1);
    expect(text).toContain("QuickBooks reference for support: 1-abc");
    expect(reportText({ kind: "needs-merchant", message: "daybook posts Main Street from Sunday 15 June 2025; Saturday 14 June 2025 is before that, so it is not posted" }))
      .toContain("Reason: daybook posts Main Street from Sunday 15 June 2025;");
  });

  it("never promises in a reason that daybook will post once the business mends something: the report's next step says until when", () => {
    const lapsed = describeFault("needs-merchant", 400, { code: "6190" }, { action: "post journal entry DB250614-AB12CD" }, undefined);
    expect(lapsed).toBe("QuickBooks refused the entry because the company's QuickBooks subscription has ended, was cancelled or has a billing problem (error 6190): it must be active again before daybook can post.");
    const text = reportText({ kind: "needs-merchant", message: lapsed });
    expect(text).not.toMatch(/daybook will post/);
    expect(text).toContain("Made by the night after Tuesday 17 June 2025, daybook posts the day by itself");
  });

  it("leaves daybook's own errors, and QuickBooks' refusals its caller explains, as they are", async () => {
    const own = new Error("a missing scope");
    expect((await failureOf("square", own)).thrown).toBe(own);
    const refusal = new QuickBooksError("QuickBooks rejected the request (HTTP 400, error 2500: ClassRef).", "bug", { status: 400, code: "2500", element: "ClassRef" });
    expect((await failureOf("quickbooks", refusal)).thrown).toBe(refusal);
  });
});
