/**
 * What became of a connection daybook ended (a disconnect, or account deletion), said truthfully per
 * provider: revoked at the provider, not revocable by daybook (Clover: the merchant must uninstall
 * daybook there, and the page links to where), or not reached (daybook's tokens are gone all the same).
 */
import type { EndedConnection } from "../../connections/end-connection";
import { PROVIDER_NAMES, type ProviderName } from "../../model";
import { cloverAppManagementUrl } from "../../oauth/clover";

/** Where a merchant removes daybook by hand at a provider that revokes, when daybook could not reach it. */
const REMOVE_BY_HAND: Record<Exclude<ProviderName, "clover">, string> = {
  square: "in your Square Dashboard, open the list of apps connected to your account and revoke daybook's access",
  quickbooks: "in QuickBooks, open Apps, then My Apps, and disconnect daybook",
};

export function RevokeOutcomeText(props: { ended: EndedConnection; cloverAppId: string }) {
  const { provider, outcome, region } = props.ended;
  const name = PROVIDER_NAMES[provider];
  if (provider === "clover") {
    return (
      <>
        Clover gives apps no way to revoke their own access, so <strong>daybook's access to Clover continues until you uninstall daybook in Clover</strong>:
        open <a href={cloverAppManagementUrl(region, props.cloverAppId)}>daybook in the Clover App Market</a> and choose Uninstall (in your Clover
        dashboard it is under More Tools, Installed Apps). daybook has deleted its Clover tokens and will never use or refresh them again.
      </>
    );
  }
  if (outcome === "revoked") return <>{name} has revoked daybook's access, and daybook has deleted its tokens.</>;
  if (outcome === "failed") {
    return <>daybook deleted its tokens but could not reach {name} to revoke its access. To end it there too, {REMOVE_BY_HAND[provider]}.</>;
  }
  return <>daybook has deleted its tokens; {name} had already ended daybook's access.</>;
}
