/**
 * `daybook sync --merchant ID --location ID --date D`: one location-day, posted to QuickBooks exactly
 * once, as the nightly worker does it. For operators re-running a day, and for the local stack.
 */
import { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { Config } from "../config";
import { parseIsoDate } from "../domain/business-day";
import { formatDecimal } from "../domain/money";
import { createQuickBooksProvider } from "../oauth/quickbooks";
import { createTokenKeeper } from "../oauth/token-keeper";
import { createDynamoStorage } from "../store/storage";
import { createSyncPorts } from "../sync/ports";
import { type SyncOutcome, syncLocationDay } from "../sync/sync-day";
import { createLocalVault, loadOrCreateLocalKey } from "../vault/local";
import type { CliIo } from "./io";

export interface SyncCommand {
  merchantId: string;
  locationId: string;
  businessDay: string;
}

export async function runSync(command: SyncCommand, config: Config, io: CliIo): Promise<SyncOutcome> {
  parseIsoDate(command.businessDay);
  const dynamo = new DynamoDBClient({
    region: config.AWS_REGION,
    ...(config.DAYBOOK_DYNAMODB_ENDPOINT ? { endpoint: config.DAYBOOK_DYNAMODB_ENDPOINT } : {}),
  });
  try {
    const { store, settings } = createDynamoStorage({ client: dynamo, tableName: config.DAYBOOK_TABLE });
    const vault = createLocalVault(await loadOrCreateLocalKey(config.DAYBOOK_VAULT_KEY_FILE));
    const quickbooks = createQuickBooksProvider({
      clientId: config.QUICKBOOKS_CLIENT_ID,
      clientSecret: config.QUICKBOOKS_CLIENT_SECRET,
      redirectUri: config.QUICKBOOKS_REDIRECT_URI,
      environment: config.QUICKBOOKS_ENVIRONMENT,
      endpoints: {
        apiBase: config.QUICKBOOKS_BASE_URL,
        ...(config.QUICKBOOKS_AUTHORIZE_URL ? { authorize: config.QUICKBOOKS_AUTHORIZE_URL } : {}),
        ...(config.QUICKBOOKS_TOKEN_URL ? { token: config.QUICKBOOKS_TOKEN_URL } : {}),
        ...(config.QUICKBOOKS_REVOKE_URL ? { revoke: config.QUICKBOOKS_REVOKE_URL } : {}),
      },
    });
    // Only QuickBooks can be refreshed from here: Square and Clover connections use their stored access tokens.
    const tokens = createTokenKeeper({ store, vault, providers: { quickbooks } });
    const ports = createSyncPorts({
      store, settings, tokens,
      square: { baseUrl: config.SQUARE_BASE_URL },
      clover: { baseUrl: config.CLOVER_BASE_URL },
      quickBooks: { baseUrl: config.QUICKBOOKS_BASE_URL },
    });
    const outcome = await syncLocationDay(ports, command);
    io.stdout(describeOutcome(command, outcome));
    return outcome;
  } finally {
    dynamo.destroy();
  }
}

export function describeOutcome(command: SyncCommand, outcome: SyncOutcome): string {
  const day = `Location ${command.locationId}, business day ${command.businessDay}`;
  const warnings = "warnings" in outcome && outcome.warnings.length > 0
    ? `\nWarnings:\n${outcome.warnings.map((warning) => `  - ${warning.message}`).join("\n")}`
    : "";
  switch (outcome.status) {
    case "posted":
    case "adjusted": {
      const total = formatDecimal(outcome.entry.total, outcome.entry.currency);
      const what = outcome.status === "posted" ? "posted" : `adjusted (revision ${outcome.revision})`;
      return `${day}: ${what} as journal entry ${outcome.docNumber} (QuickBooks Id ${outcome.entryId}) dated ${outcome.txnDate}, ${total} ${outcome.entry.currency} each side.${warnings}\n`;
    }
    case "unchanged":
      return `${day}: already posted and unchanged; nothing new to post.${warnings}\n`;
    case "no-sales":
      return `${day}: no sales; nothing to post.${warnings}\n`;
    case "held":
      return `${day}: held for review, not posted. ${outcome.reason}${warnings}\n`;
    case "failed":
      return `${day}: failed (${outcome.failure.kind}). ${outcome.failure.message}\n`;
  }
}
