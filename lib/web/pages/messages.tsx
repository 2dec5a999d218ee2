/** Pages that only say something: errors and the outcome of provider redirects. */
import type { Child } from "hono/jsx";
import { MessagePage, type Viewer } from "./layout";

export function ProblemPage(props: { title: string; viewer?: Viewer | undefined; children?: Child; next?: { href: string; label: string } }) {
  return (
    <MessagePage title={props.title} viewer={props.viewer}>
      {props.children}
      {props.next && <p><a href={props.next.href}>{props.next.label}</a></p>}
    </MessagePage>
  );
}

export function NotFoundPage(props: { viewer?: Viewer | undefined }) {
  return (
    <ProblemPage title="Page not found" viewer={props.viewer} next={{ href: "/", label: "Go to the start page" }}>
      <p>There is nothing here, or it is not yours to see.</p>
    </ProblemPage>
  );
}

export function ServerErrorPage() {
  return (
    <ProblemPage title="Something went wrong" next={{ href: "/", label: "Go to the start page" }}>
      <p>daybook could not finish this request. Nothing you did caused it; please try again in a few minutes.</p>
    </ProblemPage>
  );
}

export function QuickBooksDisconnectPage() {
  return (
    <ProblemPage title="QuickBooks disconnect" next={{ href: "/connections", label: "See your connections" }}>
      <p>If you disconnected daybook in QuickBooks, daybook has checked with QuickBooks and stopped using any connection QuickBooks no longer accepts, and destroyed its tokens.</p>
      <p>To post to QuickBooks again, sign in and connect QuickBooks.</p>
    </ProblemPage>
  );
}

export function OwnerOnlyPage(props: { viewer?: Viewer | undefined }) {
  const business = props.viewer?.businessName ?? "this business";
  return (
    <ProblemPage title="Only the owner can do this" viewer={props.viewer} next={{ href: "/history", label: `Back to ${business}` }}>
      <p>{`You work on ${business} as its accountant. Connecting and disconnecting accounts, the account page (export and deletion) and who has access are for its owner.`}</p>
    </ProblemPage>
  );
}

export function AccessEndedPage(props: { viewer?: Viewer | undefined }) {
  return (
    <ProblemPage title="Your access has ended" viewer={props.viewer} next={{ href: "/clients", label: "Go to your clients" }}>
      <p>The business you were working on has removed your access, or closed its daybook account. Nothing of it is shown to you any more.</p>
    </ProblemPage>
  );
}
