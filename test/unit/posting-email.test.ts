/** The email that says locations post again: the days a backfill must reach, said as every other email says a day. */
import { describe, expect, it } from "vitest";
import { postingStatusEmail } from "../../lib/locations/posting-email";
import type { LocationConfig } from "../../lib/model";

// The email reads only the location's name.
const location = { name: "Main Street" } as LocationConfig;

describe("the posting-again email", () => {
  it("names the days older than the nightly catch-up in words, in the text and the HTML", () => {
    const message = postingStatusEmail("resumed", [{ location, toBackfill: { from: "2025-06-02", to: "2025-06-08" } }], "https://daybook.example");
    const words = "the days from Monday 2 June 2025 to Sunday 8 June 2025 are older and need a backfill.";
    expect(message.text).toContain(`- Main Street: posting again. The nightly run posts the last week it missed; ${words}`);
    expect(message.html).toContain(words);
    expect(message.text).not.toMatch(/\d{4}-\d{2}-\d{2}/);
  });
});
