/**
 * The client list: an accountant's home page. Every business that gave them access, last night per
 * location, what needs attention first, and a button to work on each (the session then acts for it).
 */
import type { AttentionItem, ClientList, ClientRow, NightState } from "../../members/client-list";
import { RECHECK_FAILED_WORDS } from "../../report/day-status";
import { formatDay } from "../../report/format";
import { FormToken, Layout, type Viewer } from "./layout";

const STATE_WORDS: Record<NightState, string> = {
  failed: "Failed", held: "Held", "not-posting": "Not posting", "recheck-failed": RECHECK_FAILED_WORDS, posted: "Posted",
};

export interface ClientsPageProps {
  viewer: Viewer;
  list: ClientList;
  /** The person's own account id: "back to your own account". */
  ownId: string;
  /** The client the session works on now, if any. */
  current?: { businessId: string; name: string };
  notice?: string;
}

/** The switch form: POST /clients/switch works on `businessId`, then goes to `next`. */
export function OpenButton(props: { viewer: Viewer; businessId: string; next: string; label: string }) {
  return (
    <form method="post" action="/clients/switch" class="inline">
      <FormToken viewer={props.viewer} />
      <input type="hidden" name="businessId" value={props.businessId} />
      <input type="hidden" name="next" value={props.next} />
      <button type="submit">{props.label}</button>
    </form>
  );
}

/**
 * The button says what it opens: the day to review or to look at, or the history of a location that
 * stopped posting; always with the business, since clients' locations often share a name ("Main Street")
 * and a list of buttons is read without the lines around them.
 */
function attentionLabel(item: AttentionItem): string {
  const { location } = item;
  const where = `${location.name} of ${item.businessName}`;
  const day = formatDay(location.businessDay);
  switch (location.state) {
    case "held": return `Review ${where}, ${day}`;
    case "failed":
    case "recheck-failed": return `Open ${where}, ${day}`;
    default: return `Open ${where}`;
  }
}

function Attention(props: { viewer: Viewer; items: AttentionItem[] }) {
  return (
    <section aria-labelledby="attention-heading">
      <h2 id="attention-heading">Needs attention</h2>
      {props.items.length === 0
        ? <p>Nothing: every location of every client posted its last day.</p>
        : (
          <ul>
            {props.items.map((item) => (
              <li>
                <strong>{`${STATE_WORDS[item.location.state]}: `}</strong>
                {`${item.businessName}, ${item.location.name}. ${item.location.words}.`}{" "}
                <OpenButton
                  viewer={props.viewer} businessId={item.businessId} next={item.next}
                  label={attentionLabel(item)}
                />
              </li>
            ))}
          </ul>
        )}
    </section>
  );
}

function ClientTable(props: { viewer: Viewer; rows: ClientRow[] }) {
  return (
    <table aria-label="Your clients">
      <thead>
        <tr><th scope="col">Business</th><th scope="col">Latest days</th><th scope="col"><span class="visually-hidden">Actions</span></th></tr>
      </thead>
      <tbody>
        {props.rows.map((row) => (
          <tr>
            <th scope="row">{row.businessName}</th>
            <td>
              {row.locations.length === 0
                ? "No location has finished a day yet."
                : <ul class="plain">{row.locations.map((location) => <li>{`${location.name}: ${location.words}`}</li>)}</ul>}
            </td>
            <td>
              <OpenButton viewer={props.viewer} businessId={row.businessId} next="/history" label={`Open ${row.businessName}`} />
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function ClientsPage(props: ClientsPageProps) {
  const { viewer, list } = props;
  return (
    <Layout title="Clients" viewer={viewer}>
      {props.notice && <p role="status">{props.notice}</p>}
      {props.current
        ? (
          <p>
            {`You are working on ${props.current.name}. `}
            <OpenButton viewer={viewer} businessId={props.ownId} next="/connections" label="Back to your own account" />
          </p>
        )
        : <p>Open a client to see its days, approve what is held, and change its mapping and report settings.</p>}
      {list.rows.length === 0
        ? <p>No business has invited you yet. When a business invites you from its reports page, it appears here with its last night's status.</p>
        : (
          <>
            <Attention viewer={viewer} items={list.attention} />
            <section aria-labelledby="clients-heading">
              <h2 id="clients-heading">{`Your clients (${String(list.rows.length)})`}</h2>
              <ClientTable viewer={viewer} rows={list.rows} />
            </section>
          </>
        )}
    </Layout>
  );
}
