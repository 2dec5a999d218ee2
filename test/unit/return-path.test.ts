import { describe, expect, it } from "vitest";
import { returnPath, signInAddress } from "../../lib/web/return-path";

describe("the page to return to after signing in", () => {
  it("keeps a path of this site with its query", () => {
    expect(returnPath("/clients/open?business=b-1&next=%2Fdays%2F2026-04-01")).toBe("/clients/open?business=b-1&next=%2Fdays%2F2026-04-01");
    expect(returnPath("/history")).toBe("/history");
    expect(signInAddress("/history?page=2")).toBe("/sign-in?next=%2Fhistory%3Fpage%3D2");
  });

  it("drops anything that could lead to another site, back into the sign-in, or that holds a secret", () => {
    for (const value of [
      undefined, 42, "", "history", "//evil.example", "https://evil.example/x", "/\\evil.example", "/\tx", "/a b", "/é",
      "/", "/sign-in", "/sign-in/confirm?token=x", "/sign-out", "/connect/square/callback?code=c&state=s", "/x?token=t", `/${"a".repeat(500)}`,
    ]) expect(returnPath(value), String(value)).toBeUndefined();
    expect(signInAddress("/connect/clover/callback?code=c")).toBe("/sign-in");
  });
});
