import { describe, expect, it } from "vitest";
import { SimulatorClock } from "../../sandbox/quickbooks/clock";
import { TokenStore } from "../../sandbox/quickbooks/tokens";
import { SECRET_MARKER } from "../../sandbox/secret-token";

const clock = new SimulatorClock(() => Date.parse("2026-03-04T07:15:00Z"));

describe("the QuickBooks simulator's access tokens", () => {
  it("are shaped and sized like Intuit's: a JWE compact serialization (dir, A128CBC-HS256) of 863 characters, unique, accepted", () => {
    const store = new TokenStore(clock);
    const first = store.issue("9130000000000001");
    const second = store.refresh(first.refresh_token, false);
    for (const { access_token: token } of [first, second]) {
      const parts = token.split(".");
      expect(parts).toHaveLength(5);
      expect(parts.map((part) => part.length)).toEqual([47, 0, 22, 768, 22]);
      for (const part of parts) expect(part).toMatch(/^[\w-]*$/);
      expect(JSON.parse(Buffer.from(parts[0] ?? "", "base64url").toString())).toEqual({ enc: "A128CBC-HS256", alg: "dir" });
      expect(Buffer.from(parts[3] ?? "", "base64url")).toHaveLength(576);
      expect(token).toContain(SECRET_MARKER);
      expect(store.checkAccess(token, "9130000000000001")).toEqual({ ok: true, realmId: "9130000000000001" });
    }
    expect(first.access_token).not.toBe(second.access_token);
  });
});
