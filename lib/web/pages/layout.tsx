/**
 * The one layout every page uses: plain HTML that works without JavaScript (the CSP allows none),
 * one stylesheet from this origin, and for a signed-in merchant the navigation and the sign-out form.
 */
import { raw } from "hono/html";
import type { Child } from "hono/jsx";
import { FORM_TOKEN_FIELD } from "../form-body";

/** The signed-in person as pages need it. */
export interface Viewer {
  /** The person's own address. */
  email: string;
  /**
   * The business the pages are about, in every page title: the owner's business once it has a name
   * (Merchant.name); for an accountant, the client they work on (its name, or its owner's address).
   */
  businessName?: string;
  /** Goes into every form as `form_token` (see lib/auth/sessions.ts formTokenOf). */
  formToken: string;
  /** An accountant works on another business's books (lib/web/roles.ts says what they may do). */
  role?: "owner" | "accountant";
  /** Working on their own business, the person also has clients (an accountant at their own desk). */
  hasClients?: boolean;
  /** The zone the pages show times in: the business's (Merchant.timeZone); none yet, UTC (./format.ts formatInstant). */
  timeZone?: string;
}

export function FormToken(props: { viewer: Viewer }) {
  return <input type="hidden" name={FORM_TOKEN_FIELD} value={props.viewer.formToken} />;
}

export function Layout(props: { title: string; viewer?: Viewer | undefined; children?: Child; refreshSeconds?: number | undefined }) {
  const { viewer } = props;
  return (
    <>
      {raw("<!doctype html>")}
      <html lang="en">
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          {props.refreshSeconds !== undefined && <meta http-equiv="refresh" content={String(props.refreshSeconds)} />}
          <title>{pageTitle(props.title, viewer)}</title>
          <link rel="stylesheet" href="/style.css" />
        </head>
        <body>
          <a href="#main" class="skip">Skip to the page</a>
          <header>
            <a href="/" class="brand">daybook</a>
            {viewer && (
              <nav aria-label="Account">
                <span class="who">{viewer.email}</span>{" "}
                {viewer.role === "accountant" && <><span class="who">{`Working on ${viewer.businessName ?? "a client"}`}</span>{" "}</>}
                <NavLinks viewer={viewer} />
                <form method="post" action="/sign-out" class="inline">
                  <FormToken viewer={viewer} />
                  <button type="submit">Sign out</button>
                </form>
              </nav>
            )}
          </header>
          <main id="main">
            <h1>{props.title}</h1>
            {props.children}
          </main>
        </body>
      </html>
    </>
  );
}

/**
 * The menu: each link for whom it serves, as lib/web/roles.ts lets them in. The client list for whoever
 * has clients; the owner's own pages (connections, the account) for the owner; API keys for every
 * signed-in person (a key reads what its maker can see: an owner's own business, an accountant's clients).
 */
export function NavLinks(props: { viewer: Viewer }) {
  const { viewer } = props;
  const owner = viewer.role !== "accountant";
  const links: [href: string, label: string, shown: boolean][] = [
    ["/clients", "Clients", !owner || viewer.hasClients === true], ["/connections", "Connections", owner],
    ["/locations", "Locations", true], ["/history", "History", true], ["/backfill", "Backfill", true], ["/reports", "Reports", true],
    ["/api-keys", "API keys", true], ["/sessions", "Sessions", true], ["/account", "Account", owner],
  ];
  return <>{links.filter(([, , shown]) => shown).map(([href, label]) => <><a href={href}>{label}</a>{" "}</>)}</>;
}

/** "Locations · Corner Cafe · daybook": the page, the business once it has a name, the product. */
export function pageTitle(title: string, viewer: Viewer | undefined): string {
  const business = viewer?.businessName?.trim();
  return business ? `${title} · ${business} · daybook` : `${title} · daybook`;
}

/** A field's error, next to it, announced with the field (aria-describedby points here). */
export function FieldError(props: { id: string; message: string | undefined }) {
  return props.message ? <p id={props.id} class="error" role="alert">{props.message}</p> : null;
}

/** A page that only says something: errors, confirmations. */
export function MessagePage(props: { title: string; viewer?: Viewer | undefined; children?: Child }) {
  return <Layout title={props.title} viewer={props.viewer}>{props.children}</Layout>;
}

export const STYLESHEET = `
body { font-family: system-ui, sans-serif; max-width: 48rem; margin: 0 auto; padding: 1rem; line-height: 1.5; color: #1b1b1b; }
body:has(table.stack) { max-width: 72rem; }
body:has(table.stack) main p, body:has(table.stack) main ul { max-width: 48rem; }
.skip { position: absolute; left: -10000px; }
.skip:focus { position: static; display: inline-block; margin-bottom: .5rem; }
header { display: flex; justify-content: space-between; align-items: center; gap: 1rem; flex-wrap: wrap; border-bottom: 1px solid #ddd; padding-bottom: .5rem; }
.brand { font-weight: bold; text-decoration: none; color: inherit; }
nav a, nav .who { margin-right: .5rem; }
nav a { white-space: nowrap; }
.visually-hidden { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
form.inline { display: inline; }
label { display: block; margin-top: .75rem; font-weight: 600; }
input[type=email], input[type=text], select { display: block; padding: .4rem; font-size: 1rem; min-width: 18rem; }
input, select { max-width: 100%; box-sizing: border-box; }
fieldset { min-width: 0; }
button { margin-top: .75rem; padding: .4rem .9rem; font-size: 1rem; }
.error { color: #a40000; margin: .25rem 0; }
table { border-collapse: collapse; width: 100%; }
th, td { text-align: left; padding: .4rem; border-bottom: 1px solid #eee; vertical-align: top; overflow-wrap: break-word; }
th.amount, td.amount { text-align: right; font-variant-numeric: tabular-nums; }
ul.plain { margin: 0; padding-left: 1rem; }
@media (max-width: 40rem) { table { display: block; overflow-x: auto; position: relative; } }
.num { text-align: right; white-space: nowrap; font-variant-numeric: tabular-nums; }
table.facts { width: auto; }
.attention { border-left: 4px solid #a40000; padding-left: .75rem; }
.stamp { color: #444; font-size: .9rem; }
label.choice { font-weight: normal; }
ul.recipients { list-style: none; padding-left: 0; }
ul.recipients li { padding: .5rem 0; border-bottom: 1px solid #eee; overflow-wrap: anywhere; }
ul.recipients button { max-width: 100%; overflow-wrap: anywhere; }
@media (max-width: 40rem) {
  table.stack, table.stack tbody, table.stack tfoot, table.stack tr, table.stack caption { display: block; overflow-x: visible; }
  table.stack thead { position: absolute; width: 1px; height: 1px; overflow: hidden; clip-path: inset(50%); white-space: nowrap; }
  table.stack th, table.stack td { display: block; text-align: left; border: 0; padding: .1rem 0; white-space: normal; }
  table.stack tr { border-bottom: 1px solid #ddd; padding: .4rem 0; }
  table.stack td:empty { display: none; }
  table.stack td[data-label]:not(:empty)::before { content: attr(data-label) ": "; font-weight: 600; }
}
.danger { border: 1px solid #a40000; padding: 0 1rem 1rem; margin-top: 2rem; }
`;
