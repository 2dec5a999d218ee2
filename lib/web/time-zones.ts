/**
 * A time zone a person types (a location's, on the locations page; the merchant's own, on the account
 * page): its check, which refuses abbreviations and bare offsets with the reason, and the list of zones
 * the field offers.
 */
import * as z from "zod/mini";
import { isTimeZone, timeZoneProblem } from "../domain/business-day";

const UNKNOWN = "That is not a time zone daybook knows. Use a name like America/New_York.";

export const timeZoneField = z.string({ error: "Enter a time zone." }).check(
  z.trim(),
  z.minLength(1, "Enter a time zone, e.g. America/New_York."),
  z.maxLength(64, UNKNOWN),
  z.refine(isTimeZone, UNKNOWN),
  // Abbreviations and bare offsets (EST, CET, Etc/GMT+5) are refused, with the reason; UTC is fine.
  z.superRefine((zone, ctx) => {
    const problem = isTimeZone(zone) ? timeZoneProblem(zone) : undefined;
    if (problem) ctx.addIssue({ code: "custom", message: `${problem}.` });
  }),
);

/**
 * Every IANA zone the runtime knows, and UTC, for the time zone fields' list (no abbreviation is among
 * them). Asked on the first page that shows the list: the question loads ICU's data.
 */
let timeZones: readonly string[] | undefined;
export const timeZoneList = (): readonly string[] => (timeZones ??= ["UTC", ...Intl.supportedValuesOf("timeZone").filter((zone) => zone !== "UTC")]);
