import { type Connection, type LocationConfig, PROVIDER_NAMES, type ProviderName } from "../../model";
import type { EndedConnection } from "../../connections/end-connection";
import { CLOVER_CONSENT_REGIONS } from "../../oauth/consent-origins";
import { grantsPayouts } from "../../payouts/post-payouts";
import { RevokeOutcomeText } from "./disconnected";
import { formatInstant } from "./format";
import { UtcTimesNote } from "./time-zone";
import { FieldError, FormToken, Layout, type Viewer } from "./layout";

const PROVIDER_ROLES: Record<ProviderName, string> = {
  square: "Reads your daily sales from Square.",
  clover: "Reads your daily sales from Clover.",
  quickbooks: "Receives one journal entry per location and day.",
};

const CLOVER_REGION_LABELS: Readonly<Record<(typeof CLOVER_CONSENT_REGIONS)[number], string>> = {
  us: "United States and Canada",
  eu: "Europe",
  la: "Latin America",
};

/** The regions the form offers: the ones the route accepts and the Content-Security-Policy lets the form lead to. */
export const CLOVER_REGIONS = CLOVER_CONSENT_REGIONS.map((value) => ({ value, label: CLOVER_REGION_LABELS[value] }));

const regionName = (region: string) => CLOVER_REGIONS.find((each) => each.value === region)?.label ?? region.toUpperCase();

const STATUS_TEXT: Record<Connection["status"], string> = {
  active: "Connected",
  "needs-reconnect": "Needs reconnecting",
  revoked: "Disconnected",
};

/** Setting daybook up, as the connections page leads it: a POS, then QuickBooks (or the other way round), then the locations. */
function NextStep(props: { connections: Connection[] }) {
  const active = (provider: ProviderName) => props.connections.some((connection) => connection.provider === provider && connection.status === "active");
  const pos = active("square") || active("clover");
  const books = active("quickbooks");
  if (pos && books) {
    return (
      <p id="next-step">
        Next: <a href="/locations">set up each location</a>, its time zone and QuickBooks company, then its mapping. Nothing is posted until you start
        posting.
      </p>
    );
  }
  if (pos) return <p id="next-step">Next: connect QuickBooks below, the company daybook posts each day's entry to.</p>;
  if (books) return <p id="next-step">Next: connect Square or Clover, where daybook reads each day's sales.</p>;
  return <p id="next-step">First connect your POS (Square or Clover), where daybook reads each day's sales, and QuickBooks, where it posts them.</p>;
}

export function ConnectionsPage(props: {
  viewer: Viewer;
  connections: Connection[];
  notice?: string;
  /** The connection just disconnected, and what became of its access at the provider. */
  disconnected?: { ended: EndedConnection; cloverAppId: string };
  regionError?: string;
  /** Whether any location is set up yet: until one is, the page says the next step of setting daybook up. */
  hasLocations?: boolean;
}) {
  const { viewer } = props;
  const providers: ProviderName[] = ["square", "clover", "quickbooks"];
  return (
    <Layout title="Connections" viewer={viewer}>
      {props.notice && <p role="status">{props.notice}</p>}
      {!props.hasLocations && <NextStep connections={props.connections} />}
      {props.disconnected && (
        <p role="status">
          {`Disconnected from ${PROVIDER_NAMES[props.disconnected.ended.provider]}. `}
          <RevokeOutcomeText ended={props.disconnected.ended} cloverAppId={props.disconnected.cloverAppId} />
        </p>
      )}
      {providers.map((provider) => {
        const connections = props.connections.filter((connection) => connection.provider === provider);
        const live = connections.filter((connection) => connection.status !== "revoked");
        const needsReconnect = live.some((connection) => connection.status === "needs-reconnect" || lacksPayouts(connection));
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
      {props.connections.length > 0 && <UtcTimesNote viewer={viewer} />}
    </Layout>
  );
}

/** Said of an active Square connection made before daybook read payouts. */
export const PAYOUTS_SCOPE_SENTENCE =
  "Made before daybook posted deposits: reconnect Square to let daybook read your payouts and post each one to your bank account. Your daily sales keep posting meanwhile.";

const lacksPayouts = (connection: Connection): boolean => connection.status === "active" && !grantsPayouts(connection);

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
              {lacksPayouts(connection) && <><br />{PAYOUTS_SCOPE_SENTENCE}</>}
            </td>
            <td data-label="Connected">{formatInstant(connection.createdAt, props.viewer)}</td>
            <td>
              {connection.status !== "revoked" && (
                <a href={disconnectPath(connection)} aria-label={`Disconnect ${connectionName(connection)} (${PROVIDER_NAMES[connection.provider]})`}>Disconnect</a>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

const disconnectPath = (connection: Connection) => `/connections/${encodeURIComponent(connection.connectionId)}/disconnect`;

/** Asks before disconnecting, naming the locations that stop posting; its button is the disconnect itself. */
export function DisconnectConfirmPage(props: { viewer: Viewer; connection: Connection; locations: LocationConfig[] }) {
  const { connection } = props;
  const name = PROVIDER_NAMES[connection.provider];
  const account = `${connectionName(connection)} (${name})`;
  if (connection.status === "revoked") {
    return (
      <Layout title={`${account} is disconnected`} viewer={props.viewer}>
        <p>daybook holds no tokens for this account any more. Connect it again on the connections page to use it.</p>
        <p><a href="/connections">Back to your connections</a></p>
      </Layout>
    );
  }
  const posting = props.locations.filter((location) => !location.awaitingStart && !location.postingStopped);
  const others = props.locations.filter((location) => !posting.includes(location));
  const role = connection.provider === "quickbooks" ? "post their days to this QuickBooks company" : `read their sales from ${name}`;
  return (
    <Layout title={`Disconnect ${account}?`} viewer={props.viewer}>
      <p>{`daybook destroys this connection's tokens at once and can no longer ${connection.provider === "quickbooks" ? "post to this company" : `read this ${name} account`}.`}</p>
      {posting.length > 0
        ? (
          <>
            <p>{`These locations will stop posting, because daybook cannot ${role}:`}</p>
            <ul>{posting.map((location) => <li>{location.name}</li>)}</ul>
            <p>daybook emails you and your report recipients that they stopped. Connecting this same account again later starts them again, with the days they missed.</p>
          </>
        )
        : <p>No location posts with this connection: nothing stops posting.</p>}
      {others.length > 0 && <p>{`Also set up with it, not posting now: ${others.map((location) => location.name).join(", ")}.`}</p>}
      <form method="post" action={disconnectPath(connection)}>
        <FormToken viewer={props.viewer} />
        <button type="submit">{`Disconnect ${account}`}</button>
      </form>
      <p><a href="/connections">Keep it connected</a></p>
    </Layout>
  );
}
