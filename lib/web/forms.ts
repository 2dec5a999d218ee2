/**
 * Form and query input: everything a person sends is checked with zod before use, and a mistake
 * comes back as a sentence next to the field it concerns, never as a stack trace or a 500.
 */
import * as z from "zod/mini";
import { daybookIdField } from "../ids";

export { formFields } from "./form-body";

export type Checked<T> = { ok: true; value: T } | { ok: false; errors: Record<string, string> };

/** The first message for each field (the schemas' messages are written for people). */
export function check<T>(schema: z.ZodMiniType<T>, input: unknown): Checked<T> {
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, value: result.data };
  const errors: Record<string, string> = {};
  for (const issue of result.error.issues) {
    const field = issue.path.length > 0 ? String(issue.path[0]) : "";
    errors[field] ??= issue.message;
  }
  return { ok: false, errors };
}

/** A field a person typed: trimmed, at most `max` characters, with a message when it is empty. */
export function typed(emptyMessage: string, max: number, tooLongMessage: string) {
  return z.string({ error: emptyMessage }).check(z.trim(), z.minLength(1, emptyMessage), z.maxLength(max, tooLongMessage));
}

export const emailField = z.string({ error: "Enter your email address." }).check(
  z.trim(),
  z.minLength(1, "Enter your email address."),
  z.maxLength(320, "That email address is too long: an address has at most 320 characters."),
  z.email("Enter an email address like name@example.com."),
);

/** daybook's own connection ids (UUIDs): anything else names no connection, and never reaches the table's keys. */
export const connectionIdField = daybookIdField();

/** What a page keeps of a typed value when it shows it again: a bounded string. */
export function keptValue(value: string | undefined, max = 320): string {
  return (value ?? "").slice(0, max);
}
