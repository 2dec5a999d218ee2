/**
 * Whether a location posts its nights, and telling people when that changes. A location cannot post
 * while a connection it needs (its POS account, its QuickBooks company) is not active: disconnected,
 * refused by the provider, or gone. Then daybook stops scheduling it (its due-index entry goes, so no
 * night fails and alerts again and again), records why and from which day it had yet to post, and
 * emails the merchant and the report recipients once. When the connection is mended (reconnecting the
 * same account re-points the location to the new connection), the location is scheduled again from
 * that day, and one more email says it resumed.
 *
 * reconcilePostingStatus is called wherever a connection changes: the token keeper and the sync when a
 * provider refuses (lib/wiring/services.ts), the worker when a day fails for a connection, the
 * connections pages (connect, disconnect), the providers' disconnect webhooks, and a saved location.
 * It decides from what is stored, so calling it again changes nothing; each change is a conditional
 * write, so of two processes deciding at once only one sends the email.
 */
import { addDays } from "../domain/business-day";
import { heldOnAnEarlierDay } from "../email/caps";
import type { EmailSender } from "../email/email";
import { type Connection, type LocationConfig, type PostingStopped, PROVIDER_NAMES, type ProviderName } from "../model";
import type { RecipientStore } from "../report/recipients";
import { dueWork, firstDayDueAfter, RECHECK_DAYS } from "../schedule/due-days";
import { type DueIndex, pendingDayOf, registerLocation, scheduleOf } from "../schedule/due-index";
import { ConflictError, type Store } from "../store/store";
import { postingStatusEmail, type PostingStatusMessage } from "./posting-email";

/** What mends a location that cannot post: one action. */
export type PostingAction =
  | { kind: "start"; label: string }
  | { kind: "reconnect"; provider: ProviderName; region?: string; label: string };

export interface PostingProblem {
  /** Why, as the end of "Not posting: …". */
  reason: string;
  action: PostingAction;
}

const reconnect = (provider: ProviderName, connection: Connection | undefined): PostingAction => ({
  kind: "reconnect", provider, label: `Reconnect ${PROVIDER_NAMES[provider]}`,
  ...(provider === "clover" ? { region: connection?.region ?? "us" } : {}),
});

function connectionProblem(provider: ProviderName, connection: Connection | undefined): PostingProblem | undefined {
  if (connection?.status === "active") return undefined;
  const name = PROVIDER_NAMES[provider];
  const what = provider === "quickbooks" ? "QuickBooks company" : `${name} account`;
  const reason = connection === undefined ? `its ${what} is not connected`
    : connection.status === "revoked" ? `the ${name} connection was disconnected`
    : `${name} no longer accepts daybook's access`;
  return { reason, action: reconnect(provider, connection) };
}

/** Why the location cannot post now, or undefined when it can. Pure: the merchant's connections in. */
export function postingProblem(location: LocationConfig, connections: readonly Connection[]): PostingProblem | undefined {
  if (location.awaitingStart) {
    return { reason: "not started yet: review its mapping and choose the first day to post", action: { kind: "start", label: `Review and start posting ${location.name}` } };
  }
  const byId = (id: string) => connections.find((connection) => connection.connectionId === id);
  return connectionProblem(location.source, byId(location.posConnectionId)) ?? connectionProblem("quickbooks", byId(location.quickbooksConnectionId));
}

export interface PostingStatusDeps {
  store: Pick<Store, "getMerchant" | "listLocations" | "listConnections" | "replaceLocation" | "listSyncRecordsBetween">;
  dueIndex: DueIndex;
  recipients: RecipientStore;
  email: EmailSender;
  /** The web app's origin, for the links in the emails. */
  publicUrl: string;
  now(): Date;
  log?(level: "info" | "warn" | "error", message: string, fields?: Record<string, string | number | boolean>): void;
}

export interface PostingChange {
  location: LocationConfig;
  /** Stopped: why. */
  reason?: string;
  /** Resumed: days the nightly catch-up does not reach, to backfill (inclusive). */
  toBackfill?: { from: string; to: string };
}

export interface PostingChanges {
  stopped: PostingChange[];
  resumed: PostingChange[];
}

/** An updatedAt after the one read, so the conditional write after it always changes it. */
function laterThan(now: Date, updatedAt: string): string {
  const at = now.toISOString();
  return at > updatedAt ? at : new Date(Date.parse(updatedAt) + 1).toISOString();
}

/**
 * Stops or resumes each of the merchant's locations as its connections now say, and tells people once.
 * `ended`: connections just ended (their records removed), so a location that used one says it was
 * disconnected and remembers the account, for a reconnect of the same account to re-point it.
 */
export async function reconcilePostingStatus(deps: PostingStatusDeps, merchantId: string, ended: readonly Connection[] = []): Promise<PostingChanges> {
  const [locations, stored] = await Promise.all([deps.store.listLocations(merchantId), deps.store.listConnections(merchantId)]);
  const gone = ended.filter((connection) => !stored.some((each) => each.connectionId === connection.connectionId)).map((connection): Connection => ({ ...connection, status: "revoked" }));
  const connections = [...stored, ...gone];
  const now = deps.now();
  const changes: PostingChanges = { stopped: [], resumed: [] };
  for (const location of locations) {
    if (location.awaitingStart) continue;
    const problem = postingProblem(location, connections);
    try {
      const lost = gone.filter((connection) => connection.connectionId === location.posConnectionId || connection.connectionId === location.quickbooksConnectionId);
      if (problem && !location.postingStopped) changes.stopped.push(await stop(deps, location, problem, now, lost));
      else if (problem && location.postingStopped) await restate(deps, location, problem, now, lost);
      else if (!problem && location.postingStopped) {
        const realmId = connections.find((connection) => connection.connectionId === location.quickbooksConnectionId)?.externalId ?? "";
        changes.resumed.push(await resume(deps, location, realmId, now));
      }
    } catch (error) {
      // Another process decided for this location from the same read: its write (and its email) stand.
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  if (changes.stopped.length > 0 || changes.resumed.length > 0) {
    deps.log?.("info", "posting status changed", { merchantId, stopped: changes.stopped.length, resumed: changes.resumed.length });
    await tell(deps, merchantId, changes);
  }
  return changes;
}

async function stop(deps: PostingStatusDeps, location: LocationConfig, problem: PostingProblem, now: Date, lost: readonly Connection[]): Promise<PostingChange> {
  const entry = await deps.dueIndex.get(location.merchantId, location.locationId);
  // The day the nights had reached, or the earliest day sent before it that the refusal left unposted.
  const reached = entry ? pendingDayOf(entry) : firstDayDueAfter(now, scheduleOf(location));
  const resumeFrom = await earliestUnposted(deps, location, reached, entry !== undefined);
  const accounts = lost.map(({ provider, externalId }) => ({ provider, externalId }));
  const stopped: LocationConfig = {
    ...location, postingStopped: { reason: problem.reason, since: now.toISOString(), resumeFrom, ...(accounts.length > 0 ? { accounts } : {}) },
    updatedAt: laterThan(now, location.updatedAt),
  };
  await deps.store.replaceLocation(stopped, location.updatedAt);
  if (entry) {
    try {
      await deps.dueIndex.remove(entry);
    } catch (error) {
      // A scheduler tick moved it on meanwhile: that tick's jobs fail as a stopped location's do, and the next tick removes it.
      if (!(error instanceof ConflictError)) throw error;
    }
  }
  return { location: stopped, reason: problem.reason };
}

/**
 * A location already stopped: the days it waits from take in a day failed since (its job was retried
 * after the stop); one that loses a connection to a disconnect says why it is not posting now and
 * remembers the account, so connecting it again resumes it, as a location stopped by the disconnect itself does. Its notice is not sent again: people were told it stopped, and
 * one the caps held back stays owed (noticeHeld is kept) and says the reason of the day it goes.
 */
async function restate(deps: PostingStatusDeps, location: LocationConfig, problem: PostingProblem, now: Date, lost: readonly Connection[]): Promise<void> {
  const stopped = location.postingStopped;
  if (!stopped) return;
  const known = stopped.accounts ?? [];
  const added = lost.map(({ provider, externalId }) => ({ provider, externalId }))
    .filter((account) => !known.some((each) => each.provider === account.provider && each.externalId === account.externalId));
  // A day whose job was still being retried when posting stopped may have failed since: it waits too.
  const resumeFrom = await earliestUnposted(deps, location, stopped.resumeFrom);
  if (added.length === 0 && stopped.reason === problem.reason && resumeFrom === stopped.resumeFrom) return;
  await deps.store.replaceLocation({
    ...location, postingStopped: { ...stopped, reason: problem.reason, resumeFrom, ...(known.length + added.length > 0 ? { accounts: [...known, ...added] } : {}) },
    updatedAt: laterThan(now, location.updatedAt),
  }, location.updatedAt);
}

async function resume(deps: PostingStatusDeps, location: LocationConfig, realmId: string, now: Date): Promise<PostingChange> {
  const { postingStopped, ...rest } = location;
  // Looked at again: a day whose job was still being retried when posting stopped has failed since.
  const resumeFrom = await earliestUnposted(deps, location, postingStopped?.resumeFrom ?? firstDayDueAfter(now, scheduleOf(location)));
  const from = location.postingFrom !== undefined && location.postingFrom > resumeFrom ? location.postingFrom : resumeFrom;
  const resumed: LocationConfig = { ...rest, updatedAt: laterThan(now, location.updatedAt) };
  await deps.store.replaceLocation(resumed, location.updatedAt);
  const entry = await registerLocation(deps.dueIndex, resumed, realmId, now, { from });
  // The nightly catch-up reaches back a week (and re-checks a few days before it); older days missed need a backfill.
  const reached = dueWork(new Date(entry.nextDueAt), now, entry).days.map((day) => day.businessDay).sort()[0];
  const toBackfill = reached !== undefined && from < reached ? { from, to: addDays(reached, -1) } : undefined;
  return { location: resumed, ...(toBackfill ? { toBackfill } : {}) };
}

/**
 * `day`, or the earliest of the days before it that the last night sent (it and the days it re-checked:
 * RECHECK_DAYS + 1) that is not posted: a night refused fails its own day and the days it retried, and
 * the nights after them must try them again, however late the reconnect. Unposted: a record failed or
 * still posting with nothing posted; and when `day` is the day the nights have reached (`sentBefore`),
 * from the location's first posting day, a day with no record yet: the stop at a night's first refusal
 * comes before its day's failure is recorded, and its email names the day to wait from. A location set
 * up before first posting days existed counts only its records: which of its days it posted before
 * daybook kept them is not known.
 */
async function earliestUnposted(deps: PostingStatusDeps, location: LocationConfig, day: string, sentBefore = false): Promise<string> {
  const from = addDays(day, -(RECHECK_DAYS + 1));
  const records = await deps.store.listSyncRecordsBetween(location.merchantId, location.locationId, from, addDays(day, -1));
  const recorded = new Map(records.map((record) => [record.businessDay, record]));
  const { postingFrom } = location;
  for (let each = from; each < day; each = addDays(each, 1)) {
    if (postingFrom !== undefined && each < postingFrom) continue;
    const record = recorded.get(each);
    const unposted = record === undefined
      ? sentBefore && postingFrom !== undefined
      : (record.state === "failed" || record.state === "posting") && record.posted.length === 0;
    if (unposted) return each;
  }
  return day;
}

/** One email per address for the stops, one for the resumptions: the merchant and each report recipient. */
async function tell(deps: PostingStatusDeps, merchantId: string, changes: PostingChanges): Promise<void> {
  const addresses = await addressesToTell(deps, merchantId);
  if (!addresses) return;
  for (const [kind, list] of [["stopped", changes.stopped], ["resumed", changes.resumed]] as const) {
    if (list.length === 0) continue;
    const message = postingStatusEmail(kind, list, deps.publicUrl);
    const held: string[] = [];
    for (const to of addresses) if ((await sendNotice(deps, merchantId, kind, message, to)) === "held") held.push(to);
    // A stopped-posting notice the caps held back is owed (a resumption says itself: the days post again).
    if (kind === "stopped" && held.length > 0) for (const { location } of list) await markHeld(deps, location, { at: deps.now().toISOString(), to: held });
  }
}

/** The owner always; the recipients who confirmed and did not unsubscribe. Undefined for an account deleted meanwhile. */
async function addressesToTell(deps: PostingStatusDeps, merchantId: string): Promise<string[] | undefined> {
  const merchant = await deps.store.getMerchant(merchantId);
  if (!merchant) return undefined;
  const recipients = await deps.recipients.addressesThatMayReceive(merchantId, merchant.email);
  return [...new Set([merchant.email, ...recipients])];
}

async function sendNotice(deps: PostingStatusDeps, merchantId: string, kind: string, message: PostingStatusMessage, to: string): Promise<"sent" | "held" | "failed"> {
  try {
    return (await deps.email.send({ ...message, to: [to], purpose: "posting-status", merchantId })) === "held" ? "held" : "sent";
  } catch (error) {
    deps.log?.("error", "posting status email not sent", { merchantId, kind, error: error instanceof Error ? error.name : "unknown" });
    return "failed";
  }
}

/**
 * Writes a stopped location's owed notice (undefined: none owed) if the location is as read, and returns
 * it written; undefined if it changed meanwhile (resumed, or claimed by another sweep): left as it is.
 */
async function markHeld(deps: PostingStatusDeps, location: LocationConfig, noticeHeld: PostingStopped["noticeHeld"]): Promise<LocationConfig | undefined> {
  if (!location.postingStopped) return undefined;
  const { noticeHeld: _previous, ...stopped } = location.postingStopped;
  const marked: LocationConfig = { ...location, postingStopped: { ...stopped, ...(noticeHeld ? { noticeHeld } : {}) }, updatedAt: laterThan(deps.now(), location.updatedAt) };
  try {
    await deps.store.replaceLocation(marked, location.updatedAt);
    return marked;
  } catch (error) {
    if (!(error instanceof ConflictError)) throw error;
    return undefined;
  }
}

/**
 * The refresh sweep's turn at a merchant the owed-notices index names (Store.listMerchantsOwedNotices):
 * sends again each stopped-posting
 * notice the caps held back on an earlier UTC day, to each address still owed it that the notice goes
 * to today (the owner; a recipient only while it may receive), for the locations still stopped. Each
 * location is claimed first (its mark moved to now), so of two sweeps at once only one sends; an
 * address sent to is owed nothing more, one held again (or refused by SES) stays owed from today.
 * The number of emails sent.
 */
export async function sendOwedPostingNotices(deps: PostingStatusDeps, merchantId: string): Promise<number> {
  const nowDate = deps.now();
  const now = nowDate.toISOString();
  const claimed: LocationConfig[] = [];
  for (const location of await deps.store.listLocations(merchantId)) {
    const held = location.postingStopped?.noticeHeld;
    if (held === undefined || !heldOnAnEarlierDay(held.at, nowDate)) continue;
    const mine = await markHeld(deps, location, { ...held, at: now });
    if (mine) claimed.push(mine);
  }
  if (claimed.length === 0) return 0;
  const addresses = (await addressesToTell(deps, merchantId)) ?? [];
  const owed = new Map(claimed.map((location) => [location, (location.postingStopped?.noticeHeld?.to ?? []).filter((to) => addresses.includes(to))]));
  let sent = 0;
  for (const to of new Set([...owed.values()].flat())) {
    const locations = claimed.filter((location) => owed.get(location)?.includes(to));
    const message = postingStatusEmail("stopped", locations.map((location) => ({ location, ...(location.postingStopped ? { reason: location.postingStopped.reason } : {}) })), deps.publicUrl);
    if ((await sendNotice(deps, merchantId, "stopped", message, to)) !== "sent") continue;
    sent++;
    for (const location of locations) owed.set(location, owed.get(location)?.filter((address) => address !== to) ?? []);
  }
  for (const [location, to] of owed) {
    // Owed to every address its claim named (all held again, or refused): the claim's mark already says so.
    if (to.length > 0 && to.length === (location.postingStopped?.noticeHeld?.to.length ?? 0)) continue;
    await markHeld(deps, location, to.length > 0 ? { at: now, to } : undefined);
  }
  return sent;
}
