/**
 * A link from an email opens a page of one business while the session works on another: the page
 * says which business the link is for and which one the session works on now, and one button
 * switches (POST /clients/switch) and goes on to the page, so opening the link changes nothing.
 */
import { OpenButton } from "./clients";
import { Layout, type Viewer } from "./layout";
import { ProblemPage } from "./messages";

export interface OpenClientPageProps {
  viewer: Viewer;
  /** The business the link is for: its id and how a person knows it ("your own account" for the person's own). */
  target: { businessId: string; name: string };
  /** The business the session works on now, as a person knows it. */
  current: string;
  /** The page of the target the link leads to (a path of this app). */
  next: string;
}

export function OpenClientPage(props: OpenClientPageProps) {
  const { viewer, target } = props;
  return (
    <Layout title={`Open ${target.name}?`} viewer={viewer}>
      <p>{`This link is for ${target.name}. You are working on ${props.current} now.`}</p>
      <p>{`Switching opens the page for ${target.name}; your other tabs then work on it too.`}</p>
      <OpenButton viewer={viewer} businessId={target.businessId} next={props.next} label={`Work on ${target.name} and open the page`} />
      <p><a href="/clients">Back to your clients</a></p>
    </Layout>
  );
}

/** The link's page is not one of daybook's (another site, or no path at all): it is not followed. */
export function NotADaybookPage(props: { viewer: Viewer }) {
  return (
    <ProblemPage title="This link does not lead to a daybook page" viewer={props.viewer} next={{ href: "/clients", label: "Go to your clients" }}>
      <p>It names no page of daybook, so daybook did not follow it. Open the business from your clients instead.</p>
    </ProblemPage>
  );
}
