/**
 * What the vault's first call loads (lib/wiring/vault.ts): KMS's client and the vault on it. Named
 * re-exports, so the bundler keeps only these of the SDK's package; an import() of the package itself
 * would keep every command in it.
 */
export { KMSClient } from "@aws-sdk/client-kms";
export { createKmsVault } from "../../vault/kms";
