/**
 * A location's QuickBooks tags: the QuickBooks Location (the API's Department) and/or Class that every
 * line of its entries carries, so the accountant can run a profit and loss by location. Chosen on the
 * locations page from the company's lists, offered only when the company's preferences track them
 * (TrackDepartments; class tracking per transaction or per line), and checked against those lists,
 * as QuickBooks has them when the location is saved.
 */
import type { LocationConfig, QuickBooksTag } from "../model";
import type { TrackingLists, TrackingTag } from "../quickbooks/types";

export type Tags = NonNullable<LocationConfig["quickBooksTags"]>;

/** The form's fields: the chosen Location's and Class's ids, "" for none. */
export const TRACKING_FIELDS = { location: "trackingLocation", class: "trackingClass" } as const;
export type TrackingField = (typeof TRACKING_FIELDS)[keyof typeof TRACKING_FIELDS];
/** The form's field naming the QuickBooks connection whose lists the choice was made from: ids are per company. */
export const TRACKING_COMPANY_FIELD = "trackingCompany";

export type TagsChecked = { ok: true; tags: Tags | undefined } | { ok: false; errors: Partial<Record<TrackingField, string>> };

export interface SentTags {
  /** The chosen ids, "" for none. */
  location: string;
  class: string;
  /** The QuickBooks connection whose lists the ids come from, "" when the form did not say. */
  company: string;
}

/** The ids the form sent, or undefined when it sent neither field (the page could not offer the lists). */
export function sentTags(fields: Record<string, string | undefined>): SentTags | undefined {
  const location = fields[TRACKING_FIELDS.location];
  const chosenClass = fields[TRACKING_FIELDS.class];
  if (location === undefined && chosenClass === undefined) return undefined;
  return { location: (location ?? "").trim(), class: (chosenClass ?? "").trim(), company: (fields[TRACKING_COMPANY_FIELD] ?? "").trim() };
}

/**
 * Ids chosen from one company's lists mean nothing in another's (Location "1" of one company is not
 * Location "1" of the next): a choice made while the page showed another company's lists is asked again.
 */
export function choiceOfAnotherCompany(sent: SentTags, connectionId: string): Partial<Record<TrackingField, string>> | undefined {
  if (!choosesAny(sent) || sent.company === connectionId) return undefined;
  const message = "The locations and classes shown were another QuickBooks company's. Choose again from this company's lists, shown now, or none.";
  return sent.location !== "" ? { [TRACKING_FIELDS.location]: message } : { [TRACKING_FIELDS.class]: message };
}

/** Whether anything is chosen: without a choice no list needs reading. */
export const choosesAny = (sent: { location: string; class: string }): boolean => sent.location !== "" || sent.class !== "";

/** The sent ids checked against the company's lists: each must be an active record of a list the company tracks. */
export function checkTags(lists: TrackingLists, sent: { location: string; class: string }): TagsChecked {
  const errors: Partial<Record<TrackingField, string>> = {};
  const pick = (id: string, list: TrackingTag[] | undefined, field: TrackingField, term: string, plural: string): QuickBooksTag | undefined => {
    if (id === "") return undefined;
    if (!list) {
      errors[field] = `This QuickBooks company does not track ${plural}, so its entries cannot carry one. Turn ${plural} on in QuickBooks, or choose none.`;
      return undefined;
    }
    const found = list.find((tag) => tag.id === id);
    if (!found) errors[field] = `That is not an active ${term} of this QuickBooks company. Choose one from the list, or none.`;
    return found && { id: found.id, name: found.name };
  };
  const term = lists.locationTerm.toLowerCase();
  const location = pick(sent.location, lists.locations, TRACKING_FIELDS.location, term, `${term}s`);
  const chosenClass = pick(sent.class, lists.classes, TRACKING_FIELDS.class, "class", "classes");
  if (Object.keys(errors).length > 0) return { ok: false, errors };
  const tags: Tags = { ...(location ? { location } : {}), ...(chosenClass ? { class: chosenClass } : {}) };
  return { ok: true, tags: tags.location || tags.class ? tags : undefined };
}
