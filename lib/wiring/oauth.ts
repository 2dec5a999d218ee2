/**
 * The OAuth providers from the settings (providers.ts) and the process's ONE token keeper, wired to the
 * store, the vault and the reconnect email of the core services: what composeServices adds at start,
 * and the web app on the first request that connects, disconnects, hears a provider's webhook or reads
 * a provider (lib/wiring/api.ts): most of its requests do none of these.
 */
import type { ProviderName } from "../model";
import type { OAuthProvider } from "../oauth/provider";
import { createTokenKeeper, type TokenKeeper } from "../oauth/token-keeper";
import { oauthProvidersFrom } from "./providers";
import type { CoreServices, ServiceParts, ServiceSettings } from "./services";

export interface OAuthParts {
  providers: Record<ProviderName, OAuthProvider>;
  tokens: TokenKeeper;
}

export function oauthOf(config: ServiceSettings, core: CoreServices, parts: Pick<ServiceParts, "providers" | "oauthTimeoutMs" | "waitForPeer"> = {}): OAuthParts {
  const { now } = core;
  const providers = parts.providers ?? oauthProvidersFrom(config, { now, ...(parts.oauthTimeoutMs !== undefined ? { timeoutMs: parts.oauthTimeoutMs } : {}) });
  const tokens = createTokenKeeper({
    store: core.storage.store, vault: core.vault, providers, now, onNeedsReconnect: core.connectionRefused,
    ...(parts.waitForPeer ? { waitForPeer: parts.waitForPeer } : {}),
  });
  return { providers, tokens };
}
