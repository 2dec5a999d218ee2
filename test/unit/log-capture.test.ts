import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { mintSecret } from "../../sandbox/secret-token";
import { findLeaks } from "../support/log-capture";

describe("the suite's log scan", () => {
  it("finds a minted secret, a sign-in link and an email address, and masks them in its report", () => {
    const folder = mkdtempSync(join(tmpdir(), "daybook-scan-"));
    const token = mintSecret("EAAA");
    writeFileSync(join(folder, "worker.log"), [
      `{"level":"INFO","message":"refreshed","token":"${token}"}`,
      "sent https://daybook.example/sign-in/confirm?token=Qw3-x_9",
      "to rosa@example.com",
      '{"level":"INFO","message":"posted","docNumber":"DB250314-CZG9QY","intuitTid":"1-abc"}',
    ].join("\n"));
    const leaks = findLeaks(folder);
    expect(leaks.map((leak) => leak.kind)).toEqual(["secret", "sign-in link", "email address"]);
    expect(leaks.map((leak) => leak.line).join("\n")).not.toMatch(/Zsecret|Qw3-x_9|rosa@/);
  });

  it("finds an API key and an invitation link, and masks them in its report", () => {
    const folder = mkdtempSync(join(tmpdir(), "daybook-scan-"));
    const key = `dbk_${"Zq9-_".repeat(8)}abc`;
    writeFileSync(join(folder, "api.log"), [
      `{"level":"info","message":"api request","authorization":"Bearer ${key}"}`,
      "sent https://daybook.example/invitations/accept?token=Inv1te_x",
      '{"level":"info","message":"api request","keyId":"6f1c2d9e-0b7a-4c1e-9d2f-3a4b5c6d7e8f","route":"/api/v1/businesses","status":200,"durationMs":12}',
    ].join("\n"));
    const leaks = findLeaks(folder);
    expect(leaks.map((leak) => leak.kind)).toEqual(["API key", "invitation link"]);
    expect(leaks.map((leak) => leak.line).join("\n")).not.toMatch(/Zq9|Inv1te/);
  });

  it("finds nothing in ordinary log lines", () => {
    const folder = mkdtempSync(join(tmpdir(), "daybook-scan-"));
    writeFileSync(join(folder, "worker.log"), '{"message":"posted","merchantId":"m-1","realmId":"9130357992219876","at":"2025-03-15T09:00:00Z"}\n');
    expect(findLeaks(folder)).toEqual([]);
  });
});
