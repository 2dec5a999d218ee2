import type { AccountToCreate } from "../../locations/missing-accounts";
import type { PosLocation } from "../../locations/readers";
import { type Connection, type LocationConfig, type PosSource, PROVIDER_NAMES } from "../../model";
import type { TrackingField } from "../../locations/tracking-tags";
import { connectionName } from "./connections";
import { FieldError, FormToken, Layout, type Viewer } from "./layout";
import { mappingPath, MissingAccountsOffer } from "./mapping";
import { type CompanyTracking, type TrackingChoice, TrackingFieldset } from "./tracking-fieldset";

/** One POS connection's locations, or why they could not be read. */
export interface PosConnectionLocations {
  connection: Connection;
  /** Undefined when they could not be read (then `problem` says so). */
  locations: PosLocation[] | undefined;
  problem?: string;
}

/** What the person sent for one location, shown again with the messages when it was not accepted. */
export interface LocationAttempt {
  posConnectionId: string;
  locationId: string;
  values: { timeZone: string; dayStart: string; quickbooksConnectionId: string };
  errors: Partial<Record<"timeZone" | "dayStart" | "quickbooksConnectionId", string>>;
  /** The chart of the chosen company lacks accounts daybook can create: the offer shown under the form. */
  createAccounts?: { quickbooksConnectionId: string; source: PosSource; missing: AccountToCreate[] };
  /** The QuickBooks tracking choice as sent (./tracking-fieldset.tsx), and its messages. */
  tracking?: { chosen: TrackingChoice; errors: Partial<Record<TrackingField, string>> };
}


export function LocationsPage(props: {
  viewer: Viewer;
  pos: PosConnectionLocations[];
  quickBooks: Connection[];
  saved: LocationConfig[];
  notice?: string;
  attempt?: LocationAttempt;
  /** Each QuickBooks company's Location and Class lists, by connection id. */
  tracking?: Record<string, CompanyTracking>;
}) {
  const { viewer } = props;
  return (
    <Layout title="Locations" viewer={viewer}>
      {props.notice && <p role="status">{props.notice}</p>}
      <p>For each location, choose its time zone, when its business day starts and the QuickBooks company its daily entry goes to. daybook posts each day after it has ended.</p>
      {props.pos.length === 0 && <p>Connect Square or Clover on the <a href="/connections">connections page</a> first: its locations appear here.</p>}
      {props.pos.length > 0 && props.quickBooks.length === 0 && <p>Connect QuickBooks on the <a href="/connections">connections page</a> to choose where the entries go.</p>}
      {props.pos.map((entry) => (
        <section>
          <h2>{`${connectionName(entry.connection)} (${PROVIDER_NAMES[entry.connection.provider]})`}</h2>
          {entry.problem !== undefined && <p role="alert">{entry.problem}</p>}
          {entry.locations?.length === 0 && <p>This account has no active locations.</p>}
          {entry.locations?.map((location) => {
            const saved = props.saved.find((each) => each.locationId === location.locationId && each.posConnectionId === entry.connection.connectionId);
            const attempt = props.attempt?.posConnectionId === entry.connection.connectionId && props.attempt.locationId === location.locationId ? props.attempt : undefined;
            const offer = attempt?.createAccounts;
            return (
              <>
                <LocationForm viewer={viewer} connection={entry.connection} location={location} saved={saved} attempt={attempt} quickBooks={props.quickBooks} tracking={props.tracking} />
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
    </Layout>
  );
}

function LocationForm(props: {
  viewer: Viewer; connection: Connection; location: PosLocation; saved: LocationConfig | undefined; attempt: LocationAttempt | undefined; quickBooks: Connection[];
  tracking: Record<string, CompanyTracking> | undefined;
}) {
  const { location, saved, attempt } = props;
  // Ids in element ids: the POS's ids are letters, digits, - and _, but keep the ids safe whatever they hold.
  const idBase = `loc-${`${props.connection.connectionId}-${location.locationId}`.replace(/[^A-Za-z0-9_-]/g, "_")}`;
  const values = attempt?.values ?? {
    timeZone: saved?.timeZone ?? location.timeZone ?? "",
    dayStart: saved?.dayStart ?? "00:00",
    quickbooksConnectionId: saved?.quickbooksConnectionId ?? props.quickBooks[0]?.connectionId ?? "",
  };
  const errors = attempt?.errors ?? {};
  const field = (name: keyof LocationAttempt["errors"]) => ({
    id: `${idBase}-${name}`,
    "aria-invalid": errors[name] ? ("true" as const) : undefined,
    "aria-describedby": errors[name] ? `${idBase}-${name}-error` : undefined,
  });
  return (
    <form method="post" action="/locations" novalidate>
      <h3>{location.name}</h3>
      <p>{saved ? `Set up: daybook posts this location's days (${saved.currency}).` : "Not set up yet: daybook does not post this location's days."}</p>
      {saved && <p><a href={mappingPath(saved.locationId)}>{`Edit mapping for ${location.name}`}</a></p>}
      <FormToken viewer={props.viewer} />
      <input type="hidden" name="posConnectionId" value={props.connection.connectionId} />
      <input type="hidden" name="locationId" value={location.locationId} />

      <label for={`${idBase}-timeZone`}>Time zone (e.g. America/New_York)</label>
      <input type="text" name="timeZone" required maxlength={64} autocomplete="off" value={values.timeZone} {...field("timeZone")} />
      <FieldError id={`${idBase}-timeZone-error`} message={errors.timeZone} />

      <label for={`${idBase}-dayStart`}>Business day starts at</label>
      <input type="time" name="dayStart" required step={900} value={values.dayStart} {...field("dayStart")} />
      <FieldError id={`${idBase}-dayStart-error`} message={errors.dayStart} />

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
