import type { Session } from "../../auth/types";
import { FormToken, Layout, type Viewer } from "./layout";
import { formatInstant } from "./format";
import { UtcTimesNote } from "./time-zone";
import { browserName } from "../browser-name";

export function SessionsPage(props: { viewer: Viewer; sessions: Session[]; currentSessionHash: string; notice?: string }) {
  const { viewer, sessions, currentSessionHash } = props;
  const others = sessions.filter((session) => session.sessionHash !== currentSessionHash).length;
  return (
    <Layout title="Sessions" viewer={viewer}>
      {props.notice && <p role="status">{props.notice}</p>}
      <p>These browsers are signed in to your account. A session ends after 30 minutes without use, and 12 hours after signing in.</p>
      <table>
        <thead>
          <tr><th scope="col">Signed in</th><th scope="col">Last seen</th><th scope="col">Browser</th><th scope="col">Network</th><th scope="col"><span class="visually-hidden">Action</span></th></tr>
        </thead>
        <tbody>
          {sessions.map((session) => {
            const current = session.sessionHash === currentSessionHash;
            return (
              <tr>
                <td>{formatInstant(session.createdAt, viewer)}</td>
                <td>{formatInstant(session.lastSeenAt, viewer)}</td>
                <td title={session.userAgent || undefined}>{browserName(session.userAgent)}</td>
                <td>{session.approximateIp}</td>
                <td>
                  {current && <strong>This browser </strong>}
                  <form method="post" action="/sessions/end" class="inline">
                    <FormToken viewer={viewer} />
                    <input type="hidden" name="session" value={session.sessionHash} />
                    <button type="submit">{current ? "Sign out" : "End session"}</button>
                  </form>
                </td>
              </tr>
            );
          })}
        </tbody>
      </table>
      <UtcTimesNote viewer={viewer} />
      {others > 0 && (
        <form method="post" action="/sessions/end-others">
          <FormToken viewer={viewer} />
          <button type="submit">End all other sessions ({others})</button>
        </form>
      )}
    </Layout>
  );
}
