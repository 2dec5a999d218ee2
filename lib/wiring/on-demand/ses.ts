/**
 * What the first email loads (lib/wiring/email.ts): SES's client and the sender on it. Named
 * re-exports, so the bundler keeps only these of the SDK's package; an import() of the package itself
 * would keep every command in it.
 */
export { SESv2Client } from "@aws-sdk/client-sesv2";
export { createSesSender } from "../../email/ses";
