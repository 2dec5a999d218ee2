/**
 * Server-side sessions: the cookie carries a random secret, the table keeps its SHA-256 with the
 * merchant, the timeouts and what the sessions page shows. A session ends after 30 minutes without a
 * request (idle) and 12 hours after sign-in whatever happens (absolute).
 */
import type { AuthStore, Session } from "./types";
import { newSecret, SECRET_PATTERN, sha256Hex } from "./secrets";

export const SESSION_IDLE_TIMEOUT_MS = 30 * 60_000;
export const SESSION_ABSOLUTE_TIMEOUT_MS = 12 * 3600_000;
/** lastSeenAt is written at most this often, so browsing a page is not a write per request. */
export const SESSION_TOUCH_INTERVAL_MS = 60_000;
const USER_AGENT_MAX = 200;

export function sessionHashOf(secret: string): string {
  return sha256Hex(secret);
}

/**
 * The token every form of a signed-in page carries, checked on each state-changing request beside
 * the Origin check. Derived from the cookie's secret (which only the browser and this request hold),
 * never from the stored hash, so a copy of the table cannot forge it.
 */
export function formTokenOf(secret: string): string {
  return sha256Hex(`form:${secret}`);
}

export interface NewSession {
  /** Goes into the cookie and nowhere else. */
  secret: string;
  session: Session;
}

export async function startSession(
  auth: AuthStore,
  details: { merchantId: string; userAgent: string; approximateIp: string; now: Date },
): Promise<NewSession> {
  const secret = newSecret();
  const at = details.now.getTime();
  const absoluteExpiresAt = new Date(at + SESSION_ABSOLUTE_TIMEOUT_MS).toISOString();
  const session: Session = {
    sessionHash: sessionHashOf(secret),
    merchantId: details.merchantId,
    createdAt: details.now.toISOString(),
    lastSeenAt: details.now.toISOString(),
    idleExpiresAt: new Date(Math.min(at + SESSION_IDLE_TIMEOUT_MS, at + SESSION_ABSOLUTE_TIMEOUT_MS)).toISOString(),
    absoluteExpiresAt,
    userAgent: details.userAgent.slice(0, USER_AGENT_MAX),
    approximateIp: details.approximateIp,
  };
  await auth.putSession(session);
  return { secret, session };
}

/**
 * The live session behind a cookie's secret at `now`, its idle timeout pushed back when the last
 * touch is a minute old or more; undefined when there is none or it timed out. The store checks the
 * timeouts too; they are checked here as well so a store that returned a stale item cannot keep a
 * session alive.
 */
export async function resumeSession(auth: AuthStore, secret: string, now: Date): Promise<Session | undefined> {
  if (!SECRET_PATTERN.test(secret)) return undefined;
  const session = await auth.getSession(sessionHashOf(secret), now);
  if (!session || !isLive(session, now)) return undefined;
  if (now.getTime() - Date.parse(session.lastSeenAt) < SESSION_TOUCH_INTERVAL_MS) return session;
  const lastSeenAt = now.toISOString();
  const idleExpiresAt = new Date(Math.min(now.getTime() + SESSION_IDLE_TIMEOUT_MS, Date.parse(session.absoluteExpiresAt))).toISOString();
  await auth.touchSession(session.sessionHash, lastSeenAt, idleExpiresAt);
  return { ...session, lastSeenAt, idleExpiresAt };
}

export function isLive(session: Session, now: Date): boolean {
  const at = now.getTime();
  return at < Date.parse(session.idleExpiresAt) && at < Date.parse(session.absoluteExpiresAt);
}
