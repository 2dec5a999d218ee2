/**
 * Secrets the simulators mint (access and refresh tokens, codes) carry SECRET_MARKER, so a scan of
 * every log the test suite wrote can find any that leaked (test/support/log-capture.ts). Real
 * providers' tokens have no such marker; this is a property of the simulators only.
 */
import { randomBytes } from "node:crypto";

export const SECRET_MARKER = "Zsecret";

/** `<prefix>Zsecret<random base64url>`; `bytes` of randomness. */
export function mintSecret(prefix: string, bytes = 24): string {
  return `${prefix}${SECRET_MARKER}${randomBytes(bytes).toString("base64url")}`;
}
