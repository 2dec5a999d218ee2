import type { AccountToCreate } from "../../locations/missing-accounts";
import type { PostingProblem } from "../../locations/posting-status";
import type { PosLocation } from "../../locations/readers";
import type { LocationStatus } from "../../members/types";
import { type Connection, type LocationConfig, type PosSource, PROVIDER_NAMES } from "../../model";
import { cloverDepositsLine, type ExpectedDeposit } from "../../payouts/clover-expected-deposit";
import type { TrackingField } from "../../locations/tracking-tags";
import { connectionName } from "./connections";
import { formatDay, formatInstant } from "./format";
import { FieldError, FormToken, Layout, type Viewer } from "./layout";
import { mappingPath, MissingAccountsOffer } from "./mapping";
import { LatestDayNote, PostingActionControl, postingStatusText } from "./posting-status";
import { type CompanyTracking, type TrackingChoice, TrackingFieldset } from "./tracking-fieldset";

/** One POS connection's locations, or why they could not be read. */
export interface PosConnectionLocations {
  connection: Connection;
  /** Undefined when they could not be read (then `problem` says so). */
  locations: PosLocation[] | undefined;
  problem?: string;
}

/** Where a Square location's payouts stand (lib/payouts/post-payouts.ts), for the line under its form. */
export interface DepositStatus {
  /** When the last night looked at its payouts; undefined before the first. */
  lastRunAt?: string;
  /** Why the last night could not post them. */
  problem?: string;
  /** Payouts held or refused, with the first one's reason. */
  waiting: { count: number; reason?: string };
  /** A Clover location: its latest days' expected card deposits, newest first (its deposits are not posted). */
  clover?: ExpectedDeposit[];
}

/** The sentence under a Square location that posts its payouts, or under a Clover location. */
export function depositSentence(status: DepositStatus, viewer: Viewer): { text: string; alert: boolean } {
  if (status.clover) return { text: cloverDepositsLine(status.clover), alert: false };
  if (status.problem) {
    return { text: `Deposits: the last night could not post this location's Square payouts: ${status.problem} daybook tries again every night.`, alert: true };
  }
  if (status.waiting.count > 0) {
    const what = status.waiting.count === 1 ? "One Square payout is" : `${String(status.waiting.count)} Square payouts are`;
    return { text: `Deposits: ${what} not posted: ${status.waiting.reason ?? "see the payout's report"}`, alert: true };
  }
  if (!status.lastRunAt) return { text: "Deposits: each Square payout is posted to your bank account in QuickBooks, from the next night on.", alert: false };
  return { text: `Deposits: each Square payout is posted to your bank account in QuickBooks; last checked ${formatInstant(status.lastRunAt, viewer)}.`, alert: false };
}
export type LocationField = "timeZone" | "dayStart" | "quickbooksConnectionId" | "applyFrom";

/** What the person sent for one location, shown again with the messages when it was not accepted. */
export interface LocationAttempt {
  posConnectionId: string;
  locationId: string;
  values: { timeZone: string; dayStart: string; quickbooksConnectionId: string; applyFrom: string };
  errors: Partial<Record<LocationField, string>>;
  /** The chart of the chosen company lacks accounts daybook can create: the offer shown under the form. */
  createAccounts?: { quickbooksConnectionId: string; source: PosSource; missing: AccountToCreate[] };
  /** The QuickBooks tracking choice as sent (./tracking-fieldset.tsx), and its messages. */
  tracking?: { chosen: TrackingChoice; errors: Partial<Record<TrackingField, string>> };
}

/** A set-up location as the list shows it: whether it posts, and if not why and the one action that mends it. */
export interface SavedLocation {
  location: LocationConfig;
  problem: PostingProblem | undefined;
  /** The first business day a change of day settings can apply from: the next day not yet posted. */
  nextUnposted: string;
  /** Its latest finished day of the last days (lib/members/location-status.ts); undefined when none. */
  lastDay?: LocationStatus;
}

export function LocationsPage(props: {
  viewer: Viewer;
  pos: PosConnectionLocations[];
  quickBooks: Connection[];
  saved: SavedLocation[];
  /** By location id: the Square locations that post their payouts. */
  deposits?: Record<string, DepositStatus>;
  /** Every IANA zone, for the time zone fields' list. */
  timeZones: readonly string[];
  notice?: string;
  attempt?: LocationAttempt;
  /** Each QuickBooks company's Location and Class lists, by connection id. */
  tracking?: Record<string, CompanyTracking>;
}) {
  const { viewer } = props;
  return (
    <Layout title="Locations" viewer={viewer}>
      {props.notice && <p role="status">{props.notice}</p>}
      {props.saved.length > 0 && <PostingList viewer={viewer} saved={props.saved} />}
      <p>For each location, choose its time zone, when its business day starts and the QuickBooks company its daily entry goes to. Then review its mapping and a preview of a day, and start posting from the day you choose: daybook posts each day after it has ended.</p>
      {props.pos.length === 0 && <p>Connect Square or Clover on the <a href="/connections">connections page</a> first: its locations appear here.</p>}
      {props.pos.length > 0 && props.quickBooks.length === 0 && <p>Connect QuickBooks on the <a href="/connections">connections page</a> to choose where the entries go.</p>}
      {props.pos.map((entry) => (
        <section>
          <h2>{`${connectionName(entry.connection)} (${PROVIDER_NAMES[entry.connection.provider]})`}</h2>
          {entry.problem !== undefined && <p role="alert">{entry.problem}</p>}
          {entry.locations?.length === 0 && <p>This account has no active locations.</p>}
          {entry.locations?.map((location) => {
            const saved = props.saved.find((each) => each.location.locationId === location.locationId && each.location.posConnectionId === entry.connection.connectionId);
            const attempt = props.attempt?.posConnectionId === entry.connection.connectionId && props.attempt.locationId === location.locationId ? props.attempt : undefined;
            const offer = attempt?.createAccounts;
            return (
              <>
                <LocationForm viewer={viewer} connection={entry.connection} location={location} saved={saved} attempt={attempt} quickBooks={props.quickBooks} tracking={props.tracking}
                  deposits={saved ? props.deposits?.[saved.location.locationId] : undefined} />
                {offer && (
                  <MissingAccountsOffer
                    viewer={viewer} action={`/quickbooks/${encodeURIComponent(offer.quickbooksConnectionId)}/create-accounts`} missing={offer.missing}
                    hidden={{ return: "/locations", source: offer.source }} idBase={`offer-${location.locationId.replace(/[^A-Za-z0-9_-]/g, "_")}`} headingLevel={4}
                  />
                )}
              </>
            );
          })}
        </section>
      ))}
      <datalist id="time-zones">
        {props.timeZones.map((zone) => <option value={zone} />)}
      </datalist>
    </Layout>
  );
}

function PostingList(props: { viewer: Viewer; saved: SavedLocation[] }) {
  return (
    <section aria-labelledby="posting-heading">
      <h2 id="posting-heading">Your locations</h2>
      <ul>
        {props.saved.map((saved) => {
          const { location, problem } = saved;
          return (
            <li>
              <strong>{location.name}</strong>{` (${PROVIDER_NAMES[location.source]}): ${postingStatusText(saved)}`}{" "}
              {problem && <PostingActionControl viewer={props.viewer} mappingHref={mappingPath(location.locationId)} action={problem.action} />}
              <LatestDayNote locationId={location.locationId} lastDay={saved.lastDay} />
            </li>
          );
        })}
      </ul>
    </section>
  );
}

function LocationForm(props: {
  viewer: Viewer; connection: Connection; location: PosLocation; saved: SavedLocation | undefined; attempt: LocationAttempt | undefined; quickBooks: Connection[];
  tracking: Record<string, CompanyTracking> | undefined;
  deposits: DepositStatus | undefined;
}) {
  const { location, attempt } = props;
  const saved = props.saved?.location;
  // Days already posted keep their settings: a started location's change applies from a day the merchant picks.
  const nextUnposted = props.saved?.nextUnposted ?? "";
  const started = saved !== undefined && !saved.awaitingStart;
  // Ids in element ids: the POS's ids are letters, digits, - and _, but keep the ids safe whatever they hold.
  const idBase = `loc-${`${props.connection.connectionId}-${location.locationId}`.replace(/[^A-Za-z0-9_-]/g, "_")}`;
  const values = attempt?.values ?? {
    timeZone: saved?.timeZone ?? location.timeZone ?? "",
    dayStart: saved?.dayStart ?? "00:00",
    quickbooksConnectionId: saved?.quickbooksConnectionId ?? props.quickBooks[0]?.connectionId ?? "",
    applyFrom: props.saved?.nextUnposted ?? "",
  };
  const errors = attempt?.errors ?? {};
  const field = (name: LocationField, hint?: boolean) => ({
    id: `${idBase}-${name}`,
    "aria-invalid": errors[name] ? ("true" as const) : undefined,
    "aria-describedby": [hint ? `${idBase}-${name}-hint` : "", errors[name] ? `${idBase}-${name}-error` : ""].filter(Boolean).join(" ") || undefined,
  });
  return (
    <form method="post" action="/locations" novalidate>
      <h3>{location.name}</h3>
      <p>{props.saved ? `Set up (${props.saved.location.currency}). ${postingStatusText(props.saved)}` : "Not set up yet: daybook does not post this location's days."}</p>
      {saved && <p><a href={mappingPath(saved.locationId)}>{`Edit mapping for ${location.name}`}</a></p>}
      {props.deposits && (() => {
        const sentence = depositSentence(props.deposits, props.viewer);
        return sentence.alert ? <p role="alert">{sentence.text}</p> : <p>{sentence.text}</p>;
      })()}
      <FormToken viewer={props.viewer} />
      <input type="hidden" name="posConnectionId" value={props.connection.connectionId} />
      <input type="hidden" name="locationId" value={location.locationId} />

      <label for={`${idBase}-timeZone`}>Time zone</label>
      <p id={`${idBase}-timeZone-hint`} class="hint">
        {`The place's IANA name, such as America/New_York: type a city or region to search the list.${location.timeZone ? ` ${PROVIDER_NAMES[props.connection.provider]} says ${location.timeZone}.` : ""}`}
      </p>
      <input type="text" name="timeZone" required maxlength={64} autocomplete="off" list="time-zones" value={values.timeZone} {...field("timeZone", true)} />
      <FieldError id={`${idBase}-timeZone-error`} message={errors.timeZone} />

      <label for={`${idBase}-dayStart`}>Business day starts at</label>
      <p id={`${idBase}-dayStart-hint`} class="hint">
        When one business day ends and the next begins. Midnight suits most places; a bar open until 2 in the morning might choose 04:00, so its late sales
        count to the night they belong to.
      </p>
      <input type="time" name="dayStart" required step={900} value={values.dayStart} {...field("dayStart", true)} />
      <FieldError id={`${idBase}-dayStart-error`} message={errors.dayStart} />

      {started && (
        <>
          <label for={`${idBase}-applyFrom`}>A new time zone or day start applies from</label>
          <p id={`${idBase}-applyFrom-hint`} class="hint">
            {`The first business day it applies to: ${formatDay(nextUnposted)} or later (the next day not yet posted). Earlier days keep their start (${saved.dayStart}, ${saved.timeZone}): nothing already posted changes.`}
          </p>
          <input type="date" name="applyFrom" value={values.applyFrom} min={nextUnposted} {...field("applyFrom", true)} />
          <FieldError id={`${idBase}-applyFrom-error`} message={errors.applyFrom} />
        </>
      )}

      <label for={`${idBase}-quickbooksConnectionId`}>QuickBooks company</label>
      <select name="quickbooksConnectionId" required {...field("quickbooksConnectionId")}>
        {props.quickBooks.length === 0 && <option value="">No QuickBooks company connected</option>}
        {props.quickBooks.map((company) => (
          <option value={company.connectionId} selected={company.connectionId === values.quickbooksConnectionId}>{connectionName(company)}</option>
        ))}
      </select>
      <FieldError id={`${idBase}-quickbooksConnectionId-error`} message={errors.quickbooksConnectionId} />

      <TrackingFieldset
        idBase={idBase} companyId={values.quickbooksConnectionId} tracking={props.tracking?.[values.quickbooksConnectionId]} saved={saved?.quickBooksTags}
        chosen={attempt?.tracking?.chosen ?? { location: saved?.quickBooksTags?.location?.id ?? "", class: saved?.quickBooksTags?.class?.id ?? "" }}
        errors={attempt?.tracking?.errors ?? {}}
      />

      <button type="submit">{saved ? `Save ${location.name}` : `Set up ${location.name}`}</button>
    </form>
  );
}
