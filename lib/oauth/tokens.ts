/**
 * The tokens of one connection as daybook keeps them: JSON, encrypted by the vault before it is
 * stored, under the connection's encryption context. Never logged, never in an error message.
 */
import type { Connection } from "../model";
import * as z from "zod/mini";
import { describeIssues } from "../validation";
import type { EncryptionContext, TokenVault } from "../vault/vault";

// One optional text schema for every optional field (a zod schema is immutable): six fields, one schema.
const optionalText = z.optional(z.string());

export const storedTokensSchema = z.object({
  accessToken: z.string().check(z.minLength(1)),
  refreshToken: optionalText,
  /** ISO 8601; when the access token stops working. */
  accessTokenExpiresAt: optionalText,
  /** ISO 8601; when the refresh token stops working, if the provider says. */
  refreshTokenExpiresAt: optionalText,
  /** ISO 8601; when these tokens were obtained (Square wants a refresh at least every 7 days). */
  obtainedAt: optionalText,
  /**
   * The refresh token the current one replaced, kept until the current one has worked once: if a
   * rotation's answer is lost, Clover's recovery (and QuickBooks, for a while) still accept it.
   */
  previousRefreshToken: optionalText,
  /**
   * ISO 8601; set when a refresh was sent but its answer was lost (a timeout, a cut-off body, a 5xx):
   * the provider may have rotated the refresh token already, and QuickBooks keeps a replaced one
   * working for only 24 hours, so the next use refreshes at once instead of waiting until it is due.
   */
  refreshUncertainSince: optionalText,
});

export type StoredTokens = z.infer<typeof storedTokensSchema>;

export class TokenFormatError extends Error {
  override name = "TokenFormatError";
}

export function encryptionContextOf(connection: Pick<Connection, "merchantId" | "provider" | "connectionId">): EncryptionContext {
  return { merchantId: connection.merchantId, provider: connection.provider, connectionId: connection.connectionId };
}

export function sealTokens(vault: TokenVault, connection: Pick<Connection, "merchantId" | "provider" | "connectionId">, tokens: StoredTokens): Promise<string> {
  return vault.encrypt(JSON.stringify(tokens), encryptionContextOf(connection));
}

export async function openTokens(vault: TokenVault, connection: Connection): Promise<StoredTokens> {
  const plaintext = await vault.decrypt(connection.tokenCiphertext, encryptionContextOf(connection));
  let parsed: unknown;
  try {
    parsed = JSON.parse(plaintext);
  } catch {
    throw new TokenFormatError(`the stored tokens of connection ${connection.connectionId} are not JSON`);
  }
  const result = storedTokensSchema.safeParse(parsed);
  if (!result.success) throw new TokenFormatError(describeIssues(result.error, `the stored tokens of connection ${connection.connectionId}`));
  return result.data;
}
