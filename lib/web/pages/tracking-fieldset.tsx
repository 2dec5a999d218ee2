/**
 * The locations page's QuickBooks tracking choice (lib/locations/tracking-tags.ts): a Location and/or
 * a Class of the chosen company's lists, each offered only when the company tracks it.
 */
import { TRACKING_COMPANY_FIELD, TRACKING_FIELDS, type TrackingField } from "../../locations/tracking-tags";
import type { QuickBooksTag } from "../../model";
import type { TrackingLists, TrackingTag } from "../../quickbooks/types";
import { FieldError } from "./layout";

/** What the page knows of a QuickBooks company's lists: read, or why not. */
export type CompanyTracking = { lists: TrackingLists } | { problem: string };

export interface TrackingChoice {
  /** The chosen ids, "" for none. */
  location: string;
  class: string;
}

export function TrackingFieldset(props: {
  idBase: string; companyId: string; tracking: CompanyTracking | undefined; chosen: TrackingChoice; saved: { location?: QuickBooksTag; class?: QuickBooksTag } | undefined;
  errors: Partial<Record<TrackingField, string>>;
}) {
  const { tracking, saved } = props;
  if (!tracking) return null;
  const savedWords = [saved?.location && `Location ${saved.location.name}`, saved?.class && `Class ${saved.class.name}`].filter(Boolean).join(", ");
  // A saved tag of a list the company no longer tracks cannot be posted: saving drops it, and the page says so.
  const dropped = "problem" in tracking ? [] : [
    !tracking.lists.locations && saved?.location && `Location ${saved.location.name}`,
    !tracking.lists.classes && saved?.class && `Class ${saved.class.name}`,
  ].filter((words): words is string => typeof words === "string");
  return (
    <fieldset>
      <legend>QuickBooks tracking</legend>
      {!("problem" in tracking) && <input type="hidden" name={TRACKING_COMPANY_FIELD} value={props.companyId} />}
      {"problem" in tracking ? (
        <p>{tracking.problem}{savedWords && ` This location's entries stay tagged: ${savedWords}.`}</p>
      ) : !tracking.lists.locations && !tracking.lists.classes ? (
        <>
          <p>This QuickBooks company does not track locations or classes. To run a profit and loss by location, turn on location or class tracking in QuickBooks (Settings, Advanced, Categories), then reload this page.</p>
          {/* Sent empty, so saving clears tags QuickBooks would refuse. */}
          <input type="hidden" name={TRACKING_FIELDS.location} value="" />
          <input type="hidden" name={TRACKING_FIELDS.class} value="" />
        </>
      ) : (
        <>
          <p>Every line of this location's entries carries what you choose here.</p>
          {tracking.lists.locations && (
            <TagSelect idBase={props.idBase} field={TRACKING_FIELDS.location} label={`${tracking.lists.locationTerm} in QuickBooks`}
              options={tracking.lists.locations} chosen={props.chosen.location} saved={saved?.location} error={props.errors[TRACKING_FIELDS.location]} />
          )}
          {tracking.lists.classes && (
            <TagSelect idBase={props.idBase} field={TRACKING_FIELDS.class} label="Class in QuickBooks"
              options={tracking.lists.classes} chosen={props.chosen.class} saved={saved?.class} error={props.errors[TRACKING_FIELDS.class]} />
          )}
        </>
      )}
      {dropped.length > 0 && (
        <p>{`This location's entries were tagged ${dropped.join(" and ")}, which this QuickBooks company no longer tracks; saving removes it.`}</p>
      )}
      {/* A choice refused for a list the page does not offer (not tracked, or not readable) is still answered. */}
      {Object.values(TRACKING_FIELDS).filter((field) => !offers(tracking, field)).map((field) => (
        <FieldError id={`${props.idBase}-${field}-error`} message={props.errors[field]} />
      ))}
    </fieldset>
  );
}

function offers(tracking: CompanyTracking, field: TrackingField): boolean {
  if ("problem" in tracking) return false;
  return field === TRACKING_FIELDS.location ? tracking.lists.locations !== undefined : tracking.lists.classes !== undefined;
}

function TagSelect(props: { idBase: string; field: TrackingField; label: string; options: TrackingTag[]; chosen: string; saved: QuickBooksTag | undefined; error: string | undefined }) {
  const id = `${props.idBase}-${props.field}`;
  // A saved tag QuickBooks no longer lists stays visible, so saving does not drop it unseen.
  const gone = props.saved && !props.options.some((option) => option.id === props.saved?.id) ? props.saved : undefined;
  return (
    <>
      <label for={id}>{props.label}</label>
      <select id={id} name={props.field} aria-invalid={props.error ? "true" : undefined} aria-describedby={props.error ? `${id}-error` : undefined}>
        <option value="" selected={props.chosen === ""}>None</option>
        {props.options.map((option) => <option value={option.id} selected={option.id === props.chosen}>{option.name}</option>)}
        {gone && <option value={gone.id} selected={gone.id === props.chosen}>{`${gone.name} (no longer active in QuickBooks)`}</option>}
      </select>
      <FieldError id={`${id}-error`} message={props.error} />
    </>
  );
}
