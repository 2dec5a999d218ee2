/**
 * A rate-limit counter's name for an address or a merchant id (AuthStore takeRateLimit): the email caps',
 * the backfills', the invitations' and the recipient confirmations'. A module of its own, so a module
 * that names a counter does not load the email caps with it.
 */
import { createHash } from "node:crypto";

/** A hash, so the counter never shows the address or id (and one outliving an account names nobody). */
export const bucketHash = (text: string) => createHash("sha256").update(text, "utf8").digest("base64url").slice(0, 32);
