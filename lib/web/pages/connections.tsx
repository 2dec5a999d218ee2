import { type Connection, PROVIDER_NAMES, type ProviderName } from "../../model";
import type { EndedConnection } from "../../connections/end-connection";
import { RevokeOutcomeText } from "./disconnected";
import { formatInstant } from "./format";
import { FieldError, FormToken, Layout, type Viewer } from "./layout";

const PROVIDER_ROLES: Record<ProviderName, string> = {
  square: "Reads your daily sales from Square.",
  clover: "Reads your daily sales from Clover.",
  quickbooks: "Receives one journal entry per location and day.",
};

export const CLOVER_REGIONS = [
  { value: "us", label: "United States and Canada" },
  { value: "eu", label: "Europe" },
  { value: "la", label: "Latin America" },
] as const;

const regionName = (region: string) => CLOVER_REGIONS.find((each) => each.value === region)?.label ?? region.toUpperCase();

const STATUS_TEXT: Record<Connection["status"], string> = {
  active: "Connected",
  "needs-reconnect": "Needs reconnecting",
  revoked: "Disconnected",
};

export function ConnectionsPage(props: {
  viewer: Viewer;
  connections: Connection[];
  notice?: string;
  /** The connection just disconnected, and what became of its access at the provider. */
  disconnected?: { ended: EndedConnection; cloverAppId: string };
  regionError?: string;
}) {
  const { viewer } = props;
  const providers: ProviderName[] = ["square", "clover", "quickbooks"];
  return (
    <Layout title="Connections" viewer={viewer}>
      {props.notice && <p role="status">{props.notice}</p>}
      {props.disconnected && (
        <p role="status">
          {`Disconnected from ${PROVIDER_NAMES[props.disconnected.ended.provider]}. `}
          <RevokeOutcomeText ended={props.disconnected.ended} cloverAppId={props.disconnected.cloverAppId} />
        </p>
      )}
      {providers.map((provider) => {
        const connections = props.connections.filter((connection) => connection.provider === provider);
        const live = connections.filter((connection) => connection.status !== "revoked");
        const needsReconnect = live.some((connection) => connection.status === "needs-reconnect");
        const label = live.length === 0 ? "Connect" : needsReconnect ? "Reconnect" : "Connect another account";
        return (
          <section>
            <h2>{PROVIDER_NAMES[provider]}</h2>
            <p>{PROVIDER_ROLES[provider]}</p>
            {connections.length > 0 && <ConnectionTable viewer={viewer} connections={connections} />}
            <form method="post" action={`/connect/${provider}`}>
              <FormToken viewer={viewer} />
              {provider === "clover" && (
                <>
                  <label for="clover-region">Where your Clover account is</label>
                  <select id="clover-region" name="region" aria-describedby={props.regionError ? "clover-region-error" : undefined}>
                    {CLOVER_REGIONS.map((region) => <option value={region.value}>{region.label}</option>)}
                  </select>
                  <FieldError id="clover-region-error" message={props.regionError} />
                </>
              )}
              <button type="submit">{`${label}: ${PROVIDER_NAMES[provider]}`}</button>
            </form>
          </section>
        );
      })}
    </Layout>
  );
}

/** A connected account as pages name it: the provider's name for it, never its id. */
export function connectionName(connection: Pick<Connection, "provider" | "accountName">): string {
  const what = connection.provider === "quickbooks" ? "QuickBooks company" : `${PROVIDER_NAMES[connection.provider]} account`;
  return connection.accountName ?? `${what} (name not read yet)`;
}

function ConnectionTable(props: { viewer: Viewer; connections: Connection[] }) {
  return (
    <table class="stack">
      <thead>
        <tr><th scope="col">Account</th><th scope="col">Status</th><th scope="col">Connected</th><th scope="col"><span class="visually-hidden">Action</span></th></tr>
      </thead>
      <tbody>
        {props.connections.map((connection) => (
          <tr>
            <td data-label="Account">{connectionName(connection)}{connection.region ? ` (${regionName(connection.region)})` : ""}</td>
            <td data-label="Status">
              {STATUS_TEXT[connection.status]}
              {connection.statusReason && <><br />{connection.statusReason}</>}
            </td>
            <td data-label="Connected">{formatInstant(connection.createdAt)}</td>
            <td>
              {connection.status !== "revoked" && (
                <form method="post" action={`/connections/${connection.connectionId}/disconnect`} class="inline">
                  <FormToken viewer={props.viewer} />
                  <button type="submit">Disconnect</button>
                </form>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
