import { describe, expect, it } from "vitest";
import { checkTags, choiceOfAnotherCompany, sentTags } from "../../lib/locations/tracking-tags";
import type { TrackingLists } from "../../lib/quickbooks/types";

const LISTS: TrackingLists = { locationTerm: "Location", locations: [{ id: "1", name: "Main Street" }], classes: [{ id: "5", name: "Coffee bar" }] };

describe("a location's QuickBooks tags", () => {
  it("reads the choice only when the form offered it, trimmed, with the company it was made from", () => {
    expect(sentTags({ timeZone: "UTC" })).toBeUndefined();
    expect(sentTags({ trackingLocation: " 1 ", trackingCompany: "qb-1" })).toEqual({ location: "1", class: "", company: "qb-1" });
  });

  it("keeps the id and the name of each chosen active record, and none for a choice of none", () => {
    expect(checkTags(LISTS, { location: "1", class: "5" })).toEqual({ ok: true, tags: { location: { id: "1", name: "Main Street" }, class: { id: "5", name: "Coffee bar" } } });
    expect(checkTags(LISTS, { location: "", class: "5" })).toEqual({ ok: true, tags: { class: { id: "5", name: "Coffee bar" } } });
    expect(checkTags(LISTS, { location: "", class: "" })).toEqual({ ok: true, tags: undefined });
  });

  it("refuses an id not in the list, or a tag of a list the company does not track, in the company's own term", () => {
    expect(checkTags(LISTS, { location: "2", class: "5" })).toEqual({ ok: false, errors: { trackingLocation: "That is not an active location of this QuickBooks company. Choose one from the list, or none." } });
    expect(checkTags({ locationTerm: "Store" }, { location: "1", class: "5" })).toEqual({
      ok: false,
      errors: {
        trackingLocation: "This QuickBooks company does not track stores, so its entries cannot carry one. Turn stores on in QuickBooks, or choose none.",
        trackingClass: "This QuickBooks company does not track classes, so its entries cannot carry one. Turn classes on in QuickBooks, or choose none.",
      },
    });
  });

  it("asks again for ids chosen from another company's lists, and not for a choice of none", () => {
    expect(choiceOfAnotherCompany({ location: "1", class: "", company: "qb-1" }, "qb-1")).toBeUndefined();
    expect(choiceOfAnotherCompany({ location: "", class: "", company: "qb-1" }, "qb-2")).toBeUndefined();
    expect(choiceOfAnotherCompany({ location: "", class: "5", company: "qb-1" }, "qb-2")).toHaveProperty("trackingClass");
    expect(choiceOfAnotherCompany({ location: "1", class: "5", company: "" }, "qb-2")).toHaveProperty("trackingLocation");
  });
});
