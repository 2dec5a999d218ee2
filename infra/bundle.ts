/**
 * How each Lambda function is built (infra/stack.ts deploys it, bench/bundles.ts measures it, scripts/
 * synth.ts prints it): esbuild, ESM, node24, minified, tree-shaken, code-split. The entry file
 * (`<name>.mjs`) holds what every invocation needs; what only some paths use is reached through
 * dynamic import() and lands in chunks of its own (`chunks/`), loaded only when a path first needs it:
 * the square SDK (connect, the location list, the POS read) and intuit-oauth (connect and refresh).
 * CDK's NodejsFunction builds one file (--outfile), which code splitting cannot do; the stack hands
 * this folder to Code.fromAsset instead.
 *
 * On Lambda the credentials are the function role's, in the environment: the SDK's default provider
 * chain (SSO, ini files, processes, web identity, the instance metadata service) is replaced in the
 * bundle by the environment's provider alone (infra/credentials-from-env.ts), and lib/wiring/aws.ts
 * asks for that provider by name.
 */
import { mkdirSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { buildSync, type Metafile } from "esbuild";

export const PROJECT_ROOT = join(fileURLToPath(import.meta.url), "..", "..");
export const FUNCTION_NAMES = ["api", "scheduler", "worker"] as const;
export type FunctionName = (typeof FUNCTION_NAMES)[number];

/** Bundled CommonJS dependencies call require() for Node built-ins, which ESM does not define. */
export const REQUIRE_BANNER = "import{createRequire as __daybookCreateRequire}from'node:module';const require=__daybookCreateRequire(import.meta.url);";

export interface BundledFile {
  /** Relative to the bundle's folder, e.g. "worker.mjs" or "chunks/square-ABCD1234.mjs". */
  path: string;
  bytes: number;
  entry: boolean;
  /** The packages (node_modules names) with code in this file, largest first. */
  packages: { name: string; bytes: number }[];
  /** The files this one imports statically (loaded with it) and dynamically (on first use). */
  staticImports: string[];
  dynamicImports: string[];
}

export interface Bundle {
  name: FunctionName;
  outdir: string;
  /** The entry's file name: the handler is `<name>.handler`. */
  entry: string;
  files: BundledFile[];
  metafile: Metafile;
}

/** The package a bundled input belongs to ("square", "@aws-sdk/client-sqs"), or "daybook" for our own code. */
export function packageOf(input: string): string {
  const at = input.lastIndexOf("node_modules/");
  if (at < 0) return "daybook";
  const [scope, name] = input.slice(at + "node_modules/".length).split("/");
  return scope?.startsWith("@") ? `${scope}/${name ?? ""}` : (scope ?? "");
}

/** Builds one function into `outdir` (emptied first); `entryFile` (bench/floors) stands in for functions/<name>.ts. */
export function bundleFunction(name: FunctionName, outdir: string, entryFile = join(PROJECT_ROOT, "functions", `${name}.ts`)): Bundle {
  rmSync(outdir, { recursive: true, force: true });
  mkdirSync(outdir, { recursive: true });
  const { metafile } = buildSync({
    entryPoints: { [name]: entryFile },
    outdir,
    bundle: true,
    splitting: true,
    format: "esm",
    platform: "node",
    target: "node24",
    minify: true,
    treeShaking: true,
    mainFields: ["module", "main"],
    outExtension: { ".js": ".mjs" },
    chunkNames: "chunks/[name]-[hash]",
    banner: { js: REQUIRE_BANNER },
    alias: { "@aws-sdk/credential-provider-node": join(PROJECT_ROOT, "infra", "credentials-from-env.ts") },
    // The AWS SDK is bundled too, not taken from the runtime: the functions run the SDK version the
    // tests ran, and esbuild keeps only the clients each one imports. Node built-ins stay external.
    metafile: true,
    absWorkingDir: PROJECT_ROOT,
    logLevel: "error",
  });
  const files = Object.entries(metafile.outputs).map(([output, meta]): BundledFile => {
    const sizes = new Map<string, number>();
    for (const [input, { bytesInOutput }] of Object.entries(meta.inputs)) sizes.set(packageOf(input), (sizes.get(packageOf(input)) ?? 0) + bytesInOutput);
    const toPath = (file: string) => relative(outdir, join(PROJECT_ROOT, file));
    return {
      path: toPath(output),
      bytes: meta.bytes,
      // Dynamically imported modules are entry points to esbuild too; the function's own is named after it.
      entry: toPath(output) === `${name}.mjs`,
      packages: [...sizes].map(([pkg, bytes]) => ({ name: pkg, bytes })).sort((a, b) => b.bytes - a.bytes),
      staticImports: meta.imports.filter((i) => i.kind === "import-statement" && !i.external).map((i) => toPath(i.path)),
      dynamicImports: meta.imports.filter((i) => i.kind === "dynamic-import" && !i.external).map((i) => toPath(i.path)),
    };
  });
  return { name, outdir, entry: `${name}.mjs`, files, metafile };
}

/** The files `roots` name and the chunks they import statically, transitively: what loading them loads. */
function withStaticImports(bundle: Bundle, roots: string[]): BundledFile[] {
  const byPath = new Map(bundle.files.map((file) => [file.path, file]));
  const seen = new Set<string>();
  const visit = (path: string): void => {
    if (seen.has(path)) return;
    seen.add(path);
    for (const next of byPath.get(path)?.staticImports ?? []) visit(next);
  };
  for (const root of roots) visit(root);
  return [...seen].flatMap((path) => byPath.get(path) ?? []);
}

/** Everything loaded with the entry: it and the chunks it imports statically, transitively. */
export function loadedAtStart(bundle: Bundle): BundledFile[] {
  return withStaticImports(bundle, [bundle.entry]);
}

/** Everything the bundle's import() calls can load: each chunk they name, with what it imports statically. */
export function loadedOnDemand(bundle: Bundle): BundledFile[] {
  return withStaticImports(bundle, bundle.files.flatMap((file) => file.dynamicImports));
}

/** The packages loaded at start, with their bytes across those files. */
export function packagesAtStart(bundle: Bundle): Map<string, number> {
  const sizes = new Map<string, number>();
  for (const file of loadedAtStart(bundle)) for (const { name, bytes } of file.packages) sizes.set(name, (sizes.get(name) ?? 0) + bytes);
  return sizes;
}
