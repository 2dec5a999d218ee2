/** What a POS said in an error, fit to be stored: ids out, words and codes in (lib/pos/provider-text.ts). */
import { describe, expect, it } from "vitest";
import { withoutIds } from "../../lib/pos/provider-text";

describe("withoutIds", () => {
  it("takes out anything shaped like an id, and keeps words, codes and numbers", () => {
    expect(withoutIds("Order 8XQ2ZJ3N4K5L6 not found")).toBe("Order [id] not found");
    expect(withoutIds("Payment id rXbBdyZ3KmwYTO8ZtZu1vNuc1ZDZY for order 3f1c2a9e-3b5d-4e7f-9a10-2b3c4d5e6f70 was refunded")).toBe(
      "Payment id [id] for order [id] was refunded",
    );
    expect(withoutIds("INVALID_REQUEST_ERROR: The cursor is invalid; limit must be between 1 and 1000")).toBe(
      "INVALID_REQUEST_ERROR: The cursor is invalid; limit must be between 1 and 1000",
    );
  });

  it("keeps at most 300 characters", () => {
    expect(withoutIds("word ".repeat(100))).toHaveLength(300);
  });
});
