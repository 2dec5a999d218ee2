/**
 * The API keys page: the person's keys (name, made, expires, last used, state) with a button to revoke
 * each, a form to make one, the new key shown once, and the requests of the last 14 days.
 */
import { type ApiKey, type ApiRequestRecord, keyState } from "../../api/keys";
import { formatInstant } from "./format";
import { UtcTimesNote } from "./time-zone";
import { FieldError, FormToken, Layout, type Viewer } from "./layout";

export interface ApiKeysPageProps {
  viewer: Viewer;
  keys: ApiKey[];
  requests: ApiRequestRecord[];
  now: Date;
  notice?: string;
  /** A key just made: its secret, shown this once. */
  created?: { name: string; secret: string };
  /** The form as sent, with its problems. */
  form?: { name: string; days: string; errors: { name?: string | undefined; days?: string | undefined } };
  defaultDays: number;
  maxDays: number;
  apiUrl: string;
}

const STATE_WORDS = { active: "Active", revoked: "Revoked", expired: "Expired" } as const;

export function ApiKeysPage(props: ApiKeysPageProps) {
  const { viewer, form } = props;
  const names = new Map(props.keys.map((key) => [key.keyId, key.name]));
  return (
    <Layout title="API keys" viewer={viewer}>
      {props.notice && <p role="status">{props.notice}</p>}
      {props.created && (
        <section aria-labelledby="new-key-heading">
          <h2 id="new-key-heading">{`Your new key, ${props.created.name}`}</h2>
          <p>Copy it now: daybook shows it this once and keeps only a fingerprint of it.</p>
          <p><label for="new-key">API key</label><input type="text" id="new-key" readonly value={props.created.secret} /></p>
        </section>
      )}
      <p>
        {"An API key lets a program read, never change, what you can see in daybook: your own business and every client that gave you access. "}
        {`Send it as Authorization: Bearer <key> to ${props.apiUrl}; the API is described at ${props.apiUrl}/openapi.json.`}
      </p>
      {props.keys.length === 0
        ? <p>You have no API keys.</p>
        : (
          <table aria-label="Your API keys">
            <thead>
              <tr><th scope="col">Name</th><th scope="col">Made</th><th scope="col">Expires</th><th scope="col">Last used</th><th scope="col">State</th><th scope="col"><span class="visually-hidden">Action</span></th></tr>
            </thead>
            <tbody>
              {props.keys.map((key) => {
                const state = keyState(key, props.now);
                return (
                  <tr>
                    <th scope="row">{key.name}</th>
                    <td>{formatInstant(key.createdAt, viewer)}</td>
                    <td>{formatInstant(key.expiresAt, viewer)}</td>
                    <td>{key.lastUsedAt ? formatInstant(key.lastUsedAt, viewer) : "Never"}</td>
                    <td>{state === "revoked" && key.revokedAt ? `Revoked ${formatInstant(key.revokedAt, viewer)}` : STATE_WORDS[state]}</td>
                    <td>
                      {state === "active" && (
                        <form method="post" action={`/api-keys/${encodeURIComponent(key.keyId)}/revoke`} class="inline">
                          <FormToken viewer={viewer} />
                          <button type="submit">{`Revoke ${key.name}`}</button>
                        </form>
                      )}
                    </td>
                  </tr>
                );
              })}
            </tbody>
          </table>
        )}
      {props.keys.length > 0 && <UtcTimesNote viewer={viewer} />}

      <form method="post" action="/api-keys" novalidate>
        <h2>Make a key</h2>
        <FormToken viewer={viewer} />
        <label for="key-name">Name</label>
        <input
          type="text" id="key-name" name="name" required maxlength={100} value={form?.name ?? ""}
          aria-invalid={form?.errors.name ? "true" : undefined} aria-describedby={form?.errors.name ? "key-name-error" : "key-name-hint"}
        />
        {!form?.errors.name && <p id="key-name-hint">What it is for, for example "Month-end workbook".</p>}
        <FieldError id="key-name-error" message={form?.errors.name} />
        <label for="key-days">Days it works</label>
        <input
          type="text" inputmode="numeric" id="key-days" name="days" required maxlength={3} value={form?.days ?? String(props.defaultDays)}
          aria-invalid={form?.errors.days ? "true" : undefined} aria-describedby={form?.errors.days ? "key-days-error" : "key-days-hint"}
        />
        {!form?.errors.days && <p id="key-days-hint">{`From 1 to ${String(props.maxDays)} days; ${String(props.defaultDays)} unless you change it.`}</p>}
        <FieldError id="key-days-error" message={form?.errors.days} />
        <button type="submit">Make key</button>
      </form>

      <section aria-labelledby="requests-heading">
        <h2 id="requests-heading">Recent requests</h2>
        {props.requests.length === 0
          ? <p>No requests with your keys in the last 14 days.</p>
          : (
            <table aria-label="Recent requests">
              <thead><tr><th scope="col">When</th><th scope="col">Key</th><th scope="col">Route</th><th scope="col">Status</th><th scope="col">Time</th></tr></thead>
              <tbody>
                {props.requests.map((request) => (
                  <tr>
                    <td>{formatInstant(request.at, viewer)}</td>
                    <td>{names.get(request.keyId) ?? "A deleted key"}</td>
                    <td>{`${request.method} ${request.route}`}</td>
                    <td>{String(request.status)}</td>
                    <td>{`${String(request.durationMs)} ms`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        <p>daybook keeps each request for 14 days: the key, the route, the answer's status and how long it took; never what was sent or answered.</p>
      </section>
    </Layout>
  );
}
