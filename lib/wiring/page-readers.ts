/**
 * What the locations and mapping pages read with (lib/locations/readers.ts's ProviderReaders): the
 * providers' clients of lib/wiring/provider-apis.ts, tuned for a person waiting. The web app loads it
 * with the first page that reads a provider (lib/wiring/api.ts).
 */
import { cloverCatalog, squareCatalog } from "../locations/pos-catalog";
import { cloverLocations, type ProviderReaders, squareBusinessName, squareLocations } from "../locations/readers";
import type { TokenKeeper } from "../oauth/token-keeper";
import { PAGE_TUNING, providerApis, summariserOf, type ApiTuning, type ProviderHosts } from "./provider-apis";

export function pageReaders(tokens: TokenKeeper, hosts: ProviderHosts, tuning: ApiTuning = PAGE_TUNING): ProviderReaders {
  const apis = providerApis(tokens, hosts, tuning);
  return {
    async posLocations(connection) {
      if (connection.provider === "clover") return cloverLocations(await apis.cloverReader(connection));
      if (connection.provider === "square") return squareLocations(await apis.squareCaller(connection));
      throw new Error(`connection ${connection.connectionId} is not a POS connection`);
    },
    async posCatalog(connection, locationId) {
      if (connection.provider === "clover") return cloverCatalog(await apis.cloverReader(connection));
      if (connection.provider === "square") return squareCatalog(await apis.squareCaller(connection), locationId);
      throw new Error(`connection ${connection.connectionId} is not a POS connection`);
    },
    posDay: summariserOf(apis),
    quickBooks: (connection) => apis.quickBooks(connection).client,
    async accountName(connection) {
      if (connection.provider === "square") return squareBusinessName(await apis.squareCaller(connection));
      if (connection.provider === "clover") return (await (await apis.cloverReader(connection)).getMerchant()).name;
      return (await apis.quickBooks(connection).client.getCompanySettings()).companyName;
    },
  };
}
