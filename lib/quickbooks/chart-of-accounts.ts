/**
 * The company's chart of accounts: its active accounts, and adding one. Only the pages that map
 * accounts and a refusal that names an account read it (a night's posting does not), so the client
 * (lib/quickbooks/client.ts) loads this module on those calls.
 */
import * as z from "zod/mini";
import type { NewAccount, QuickBooksRequests } from "./client";
import type { QuickBooksAccount } from "./types";

const accountSchema = z.object({
  Id: z.string(),
  Name: z.string(),
  FullyQualifiedName: z.optional(z.string()),
  AccountType: z.string(),
  AccountSubType: z.optional(z.string()),
  AcctNum: z.optional(z.string()),
  Classification: z.optional(z.string()),
  Active: z.optional(z.boolean()),
});

const accountQueryResponse = z.object({ QueryResponse: z.object({ Account: z.optional(z.array(accountSchema)) }) });

const accountCreateResponse = z.object({ Account: accountSchema });

function toAccount(account: z.infer<typeof accountSchema>): QuickBooksAccount {
  return {
    id: account.Id,
    name: account.Name,
    fullyQualifiedName: account.FullyQualifiedName ?? account.Name,
    accountType: account.AccountType,
    ...(account.AccountSubType !== undefined ? { accountSubType: account.AccountSubType } : {}),
    ...(account.AcctNum !== undefined && account.AcctNum.trim() !== "" ? { acctNum: account.AcctNum.trim() } : {}),
    ...(account.Classification !== undefined ? { classification: account.Classification } : {}),
    active: account.Active ?? true,
  };
}

/** Every active account, page by page. */
export function listActiveAccounts(requests: QuickBooksRequests): Promise<QuickBooksAccount[]> {
  return requests.activeRecords("Account", async (statement) =>
    ((await requests.query(statement, accountQueryResponse, { action: "list the chart of accounts" })).QueryResponse.Account ?? []).map(toAccount));
}

/** POST account with the caller's requestid (checked by the client). */
export async function createAccount(requests: QuickBooksRequests, { name, accountType, accountSubType }: NewAccount, requestId: string): Promise<QuickBooksAccount> {
  const body = JSON.stringify({ Name: name, AccountType: accountType, ...(accountSubType !== undefined ? { AccountSubType: accountSubType } : {}) });
  const context = { action: `create the account "${name}"` };
  const response = await requests.send({ method: "POST", path: "account", params: { requestid: requestId }, body, context }, accountCreateResponse);
  return toAccount(response.Account);
}
