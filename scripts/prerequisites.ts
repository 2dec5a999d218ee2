/**
 * What the tests need besides node_modules, made sure of before anything runs (`npm test`,
 * `npm run test:fast`): the Node that npm ci put in node_modules (the Lambda runtime's major), Square's
 * OpenAPI spec beside the clone, and for the whole suite moto_server and the system Chromium. Chromium
 * is installed from Debian's packages when it is missing and this machine can (root, apt-get);
 * anything else missing stops the run at once with one sentence saying what to install.
 *
 * Run by Node itself (`node scripts/prerequisites.ts`, type stripping), so it imports only node:
 * built-ins. The decision is `nextStep`, a pure function, unit-tested in test/unit/prerequisites.test.ts.
 */
import { spawnSync } from "node:child_process";
import { accessSync, constants, readFileSync } from "node:fs";
import { delimiter, dirname, join, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export type Lane = "fast" | "full";

/** The Chromium the browser tests launch; the variable lets a test or a person point elsewhere. */
export const CHROMIUM_VARIABLE = "DAYBOOK_CHROMIUM";
export const SYSTEM_CHROMIUM = "/usr/bin/chromium";
export const chromiumPath = (env: NodeJS.ProcessEnv = process.env): string => env[CHROMIUM_VARIABLE] ?? SYSTEM_CHROMIUM;

export const APT_UPDATE = ["apt-get", "update"];
export const APT_INSTALL_CHROMIUM = ["apt-get", "install", "-y", "--no-install-recommends", "chromium"];

export interface Facts {
  lane: Lane;
  /** process.versions.node */
  node: string;
  /** The major of package.json's `node` devDependency: the Lambda runtime's. */
  wantedNodeMajor: number;
  specPath: string;
  specPresent: boolean;
  motoOnPath: boolean;
  chromiumPath: string;
  chromiumPresent: boolean;
  /** Root, with apt-get on the PATH. */
  canInstallChromium: boolean;
  /** Set once an install ran, so a second one is never tried. */
  chromiumInstallExit?: number;
}

export type Step =
  | { kind: "ready" }
  | { kind: "install chromium" }
  | { kind: "stop"; sentence: string };

export function nextStep(facts: Facts): Step {
  const major = Number(facts.node.split(".")[0]);
  if (major !== facts.wantedNodeMajor) {
    return stop(`The tests run on Node ${String(facts.wantedNodeMajor)}, the Lambda runtime's, which npm ci puts in node_modules/.bin, but this is Node ${facts.node}: run npm ci, then run the tests through npm (npm test, npm run test:fast).`);
  }
  if (!facts.specPresent) {
    return stop(`Square's OpenAPI spec is missing at ${facts.specPath}: the tests validate every Square body against it, so the clone must sit beside shared/ with shared/specs/square/api.json in it.`);
  }
  if (facts.lane === "fast") return { kind: "ready" };
  if (!facts.motoOnPath) {
    return stop("moto_server is not on the PATH: the integration tests run DynamoDB, KMS, SES and SQS on it, so install it with pip install 'moto[server]' (Python moto 5).");
  }
  if (facts.chromiumPresent) return { kind: "ready" };
  if (facts.chromiumInstallExit === 0) {
    return stop(`apt-get installed Debian's chromium, but ${facts.chromiumPath} is still missing: install a Chromium there (or set ${CHROMIUM_VARIABLE} to one).`);
  }
  if (facts.chromiumInstallExit !== undefined) {
    return stop(`apt-get could not install Debian's chromium (exit ${String(facts.chromiumInstallExit)}): install it yourself (apt-get install chromium), then run the tests again.`);
  }
  if (!facts.canInstallChromium) {
    return stop(`${facts.chromiumPath} is missing and this user cannot install it: install Debian's chromium (as root: apt-get install chromium), then run the tests again.`);
  }
  return { kind: "install chromium" };
}

function stop(sentence: string): Step {
  return { kind: "stop", sentence };
}

export function onPath(command: string, path = process.env.PATH ?? ""): boolean {
  return path.split(delimiter).some((folder) => folder !== "" && isExecutable(join(folder, command)));
}

function isExecutable(file: string): boolean {
  try {
    accessSync(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

function lookAround(lane: Lane, root: string): Facts {
  const packageJson = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as { devDependencies: Record<string, string> };
  const wanted = /\d+/.exec(packageJson.devDependencies.node ?? "");
  if (wanted === null) throw new Error("package.json has no node devDependency naming the runtime's major");
  const specPath = resolve(root, "../shared/specs/square/api.json");
  const chromium = chromiumPath();
  return {
    lane,
    node: process.versions.node,
    wantedNodeMajor: Number(wanted[0]),
    specPath: relative(process.cwd(), specPath),
    specPresent: isReadable(specPath),
    motoOnPath: onPath("moto_server"),
    chromiumPath: chromium,
    chromiumPresent: isExecutable(chromium),
    canInstallChromium: process.getuid?.() === 0 && onPath("apt-get"),
  };
}

function isReadable(file: string): boolean {
  try {
    accessSync(file, constants.R_OK);
    return true;
  } catch {
    return false;
  }
}

function installChromium(): number {
  for (const [command, ...args] of [APT_UPDATE, APT_INSTALL_CHROMIUM]) {
    if (command === undefined) continue;
    process.stderr.write(`prerequisites: ${[command, ...args].join(" ")}\n`);
    const result = spawnSync(command, args, { stdio: ["ignore", "inherit", "inherit"], env: { ...process.env, DEBIAN_FRONTEND: "noninteractive" } });
    const code = result.status ?? 1;
    if (code !== 0) return code;
  }
  return 0;
}

function main(argv: string[]): number {
  const lane = argv[0];
  if (lane !== "fast" && lane !== "full") {
    process.stderr.write("Usage: node scripts/prerequisites.ts fast|full\n");
    return 2;
  }
  const root = resolve(dirname(fileURLToPath(import.meta.url)), "..");
  let facts = lookAround(lane, root);
  process.stdout.write(`${lane === "full" ? "npm test" : "npm run test:fast"}: Node ${process.version} (${process.execPath})\n`);
  for (;;) {
    const step = nextStep(facts);
    if (step.kind === "ready") return 0;
    if (step.kind === "stop") {
      process.stderr.write(`${step.sentence}\n`);
      return 1;
    }
    process.stderr.write(`prerequisites: ${facts.chromiumPath} is missing; installing Debian's chromium\n`);
    const exit = installChromium();
    facts = { ...lookAround(lane, root), chromiumInstallExit: exit };
  }
}

if (import.meta.main) process.exitCode = main(process.argv.slice(2));
