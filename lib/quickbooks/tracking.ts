/**
 * What the company tracks transactions by (Preferences' AccountingInfoPrefs) and its active Locations
 * (the API's Departments) and Classes. Only the location page reads them, so the client
 * (lib/quickbooks/client.ts) loads this module on that call.
 */
import * as z from "zod/mini";
import type { QuickBooksRequests } from "./client";
import type { TrackingLists, TrackingTag } from "./types";

const trackingPreferencesResponse = z.object({
  Preferences: z.object({
    AccountingInfoPrefs: z.optional(z.object({
      TrackDepartments: z.optional(z.boolean()),
      DepartmentTerminology: z.optional(z.string()),
      ClassTrackingPerTxn: z.optional(z.boolean()),
      ClassTrackingPerTxnLine: z.optional(z.boolean()),
    })),
  }),
});

const tagSchema = z.object({ Id: z.string(), Name: z.string(), FullyQualifiedName: z.optional(z.string()) });
const departmentQueryResponse = z.object({ QueryResponse: z.object({ Department: z.optional(z.array(tagSchema)) }) });
const classQueryResponse = z.object({ QueryResponse: z.object({ Class: z.optional(z.array(tagSchema)) }) });
const toTag = (tag: z.infer<typeof tagSchema>): TrackingTag => ({ id: tag.Id, name: tag.FullyQualifiedName ?? tag.Name });

export async function readTracking(requests: QuickBooksRequests): Promise<TrackingLists> {
  const context = { action: "read the company's settings" };
  const prefs = (await requests.send({ method: "GET", path: "preferences", context }, trackingPreferencesResponse)).Preferences.AccountingInfoPrefs ?? {};
  const locationTerm = prefs.DepartmentTerminology?.trim() || "Location";
  const locations = prefs.TrackDepartments === true
    ? await requests.activeRecords("Department", async (statement) =>
      ((await requests.query(statement, departmentQueryResponse, { action: "list the company's locations" })).QueryResponse.Department ?? []).map(toTag))
    : undefined;
  const classes = prefs.ClassTrackingPerTxn === true || prefs.ClassTrackingPerTxnLine === true
    ? await requests.activeRecords("Class", async (statement) =>
      ((await requests.query(statement, classQueryResponse, { action: "list the company's classes" })).QueryResponse.Class ?? []).map(toTag))
    : undefined;
  return { locationTerm, ...(locations ? { locations } : {}), ...(classes ? { classes } : {}) };
}
