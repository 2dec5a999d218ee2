/**
 * zod (the mini build, so Lambda bundles stay small) with English messages, and one way to turn a
 * validation failure into sentences a person can act on.
 */
import { z } from "zod/mini";
import { en } from "zod/locales";

z.config(en());

export { z };

export function describeIssues(error: z.core.$ZodError, subject: string): string {
  const details = error.issues.slice(0, 5).map((issue) => {
    const path = issue.path.map(String).join(".");
    return path ? `${path}: ${issue.message}` : issue.message;
  });
  const more = error.issues.length > 5 ? ` (and ${error.issues.length - 5} more)` : "";
  return `${subject} is not valid: ${details.join("; ")}${more}`;
}
