/**
 * zod's English messages, and one way to turn a validation failure into sentences a person can act on.
 * Modules import zod's mini build themselves (`import * as z from "zod/mini"`), so that a bundle keeps
 * only the parts of zod it uses; this module, which every entry loads at start, sets the one locale the
 * bundles carry. Validation in place (the POS readers') is lib/check-in-place.ts: a module of its own,
 * so that it loads with the readers and not at every function's start (the bundler puts what a module
 * holds wherever the module is loaded, whoever uses it).
 */
import * as z from "zod/mini";
import en from "zod/v4/locales/en.js";

z.config(en());

export function describeIssues(error: z.core.$ZodError, subject: string): string {
  const details = error.issues.slice(0, 5).map((issue) => {
    const path = issue.path.map(String).join(".");
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  const more = error.issues.length > 5 ? ` (and ${error.issues.length - 5} more)` : "";
  return `${subject} is not valid: ${details.join("; ")}${more}`;
}
