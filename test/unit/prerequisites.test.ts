/**
 * What `npm test` and `npm run test:fast` do about their prerequisites (scripts/prerequisites.ts):
 * the decision, for every combination that matters, without uninstalling anything.
 */
import { mkdtempSync, writeFileSync, chmodSync, mkdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { delimiter, join } from "node:path";
import { describe, expect, it } from "vitest";
import { chromiumPath, type Facts, nextStep, onPath, SYSTEM_CHROMIUM } from "../../scripts/prerequisites";
import packageJson from "../../package.json";

const ready: Facts = {
  lane: "full",
  node: "24.21.0",
  wantedNodeMajor: 24,
  specPath: "../shared/specs/square/api.json",
  specPresent: true,
  motoOnPath: true,
  chromiumPath: "/usr/bin/chromium",
  chromiumPresent: true,
  canInstallChromium: true,
};

function sentenceOf(facts: Facts): string {
  const step = nextStep(facts);
  if (step.kind !== "stop") throw new Error(`expected a stop, got ${step.kind}`);
  return step.sentence;
}

describe("the prerequisites of the whole suite", () => {
  it("are ready when everything is there", () => {
    expect(nextStep(ready)).toEqual({ kind: "ready" });
  });

  it("install chromium when it is missing and this machine can (root, apt-get)", () => {
    expect(nextStep({ ...ready, chromiumPresent: false })).toEqual({ kind: "install chromium" });
  });

  it("stop with one sentence saying what to install when chromium is missing and cannot be installed here", () => {
    const sentence = sentenceOf({ ...ready, chromiumPresent: false, canInstallChromium: false });
    expect(sentence).toBe("/usr/bin/chromium is missing and this user cannot install it: install Debian's chromium (as root: apt-get install chromium), then run the tests again.");
  });

  it("never try a second install: a failed apt-get stops with its exit code", () => {
    const sentence = sentenceOf({ ...ready, chromiumPresent: false, chromiumInstallExit: 100 });
    expect(sentence).toBe("apt-get could not install Debian's chromium (exit 100): install it yourself (apt-get install chromium), then run the tests again.");
  });

  it("stop when apt-get succeeded but the browser is still not where the tests look", () => {
    const sentence = sentenceOf({ ...ready, chromiumPath: "/opt/chromium", chromiumPresent: false, chromiumInstallExit: 0 });
    expect(sentence).toBe("apt-get installed Debian's chromium, but /opt/chromium is still missing: install a Chromium there (or set DAYBOOK_CHROMIUM to one).");
  });

  it("are ready once an install put chromium in place", () => {
    expect(nextStep({ ...ready, chromiumInstallExit: 0 })).toEqual({ kind: "ready" });
  });

  it("stop at once, before installing anything, when moto_server is missing", () => {
    const sentence = sentenceOf({ ...ready, motoOnPath: false, chromiumPresent: false });
    expect(sentence).toBe("moto_server is not on the PATH: the integration tests run DynamoDB, KMS, SES and SQS on it, so install it with pip install 'moto[server]' (Python moto 5).");
  });

  it("stop at once when Square's spec is not beside the clone", () => {
    const sentence = sentenceOf({ ...ready, specPresent: false, motoOnPath: false });
    expect(sentence).toMatch(/^Square's OpenAPI spec is missing at \.\.\/shared\/specs\/square\/api\.json: /);
  });

  it("stop on any Node but the runtime's major, naming both", () => {
    const sentence = sentenceOf({ ...ready, node: "20.20.2" });
    expect(sentence).toBe("The tests run on Node 24, the Lambda runtime's, which npm ci puts in node_modules/.bin, but this is Node 20.20.2: run npm ci, then run the tests through npm (npm test, npm run test:fast).");
  });
});

describe("the prerequisites of the fast lane", () => {
  const fast: Facts = { ...ready, lane: "fast", motoOnPath: false, chromiumPresent: false, canInstallChromium: false };

  it("need neither moto_server nor chromium", () => {
    expect(nextStep(fast)).toEqual({ kind: "ready" });
  });

  it("still need the runtime's Node and Square's spec", () => {
    expect(nextStep({ ...fast, node: "22.3.0" })).toMatchObject({ kind: "stop" });
    expect(nextStep({ ...fast, specPresent: false })).toMatchObject({ kind: "stop" });
  });
});

describe("what the script looks at", () => {
  it("takes the Chromium from DAYBOOK_CHROMIUM, else the system one", () => {
    expect(chromiumPath({})).toBe(SYSTEM_CHROMIUM);
    expect(chromiumPath({ DAYBOOK_CHROMIUM: "/tmp/no-chromium" })).toBe("/tmp/no-chromium");
  });

  it("finds a command only as an executable file on the PATH", () => {
    const folder = mkdtempSync(join(tmpdir(), "daybook-prerequisites-"));
    mkdirSync(join(folder, "bin"));
    writeFileSync(join(folder, "bin", "moto_server"), "#!/bin/sh\n");
    writeFileSync(join(folder, "bin", "not-executable"), "");
    chmodSync(join(folder, "bin", "moto_server"), 0o755);
    const path = ["", join(folder, "empty"), join(folder, "bin")].join(delimiter);
    expect(onPath("moto_server", path)).toBe(true);
    expect(onPath("not-executable", path)).toBe(false);
    expect(onPath("moto_server", join(folder, "empty"))).toBe(false);
  });

  it("runs the tests on the Node major that package.json pins (the Lambda runtime's: see the CDK stack's test)", () => {
    expect(packageJson.devDependencies.node).toMatch(/^\^\d+$/);
    expect(process.versions.node.split(".")[0]).toBe(packageJson.devDependencies.node.slice(1));
  });
});
