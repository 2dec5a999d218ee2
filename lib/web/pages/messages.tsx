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
