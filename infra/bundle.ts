/**
 * How each Lambda function is built (infra/stack.ts deploys it, bench/bundles.ts measures it, scripts/
 * synth.ts prints it): esbuild, ESM, node24, minified, tree-shaken, code-split. The entry file
 * (`<name>.mjs`) holds what every invocation needs; what only some paths use is reached through
 * dynamic import() and lands in chunks of its own (`chunks/`), loaded only when a path first needs it:
 * the square SDK (connect, the location list, the POS read) and intuit-oauth (connect and refresh).
 *
 * esbuild puts the code an entry shares with its import() targets in chunks by which of them use it,
 * so an entry with many targets (the web app's route groups) would load its own code from dozens of
 * small files at start, each a module for Node to resolve, read, compile and link. So a function is
 * built twice: the first build finds the modules its entry loads at start; in the second, each
 * import() of daybook's own code imports those first (they are loaded already when it runs), so they
 * are used by the entry and every target alike and esbuild puts them in one chunk.
 *
 * CDK's NodejsFunction builds one file (--outfile), which code splitting cannot do; the stack hands
 * this folder to Code.fromAsset instead.
 *
 * On Lambda the credentials are the function role's, in the environment: the SDK's default provider
 * chain (SSO, ini files, processes, web identity, the instance metadata service) is replaced in the
 * bundle by the environment's provider alone (infra/credentials-from-env.ts), and lib/wiring/aws.ts
 * asks for that provider by name.
 */
import { spawnSync } from "node:child_process";
import { mkdirSync, rmSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { type BuildOptions, buildSync, type Metafile } from "esbuild";

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
  const options = buildOptions(name, outdir, entryFile);
  const first = bundleOf(name, outdir, build(options));
  const atStart = modulesAtStart(first, entryFile);
  return atStart.length === 0 ? first : bundleOf(name, outdir, build(options, atStart));
}

/**
 * Builds into the options' folder (emptied first). With `atStart`, each import() of daybook's own code
 * (not of a package: the square SDK, intuit-oauth; nor of data: the API's JSON document) loads a module
 * that imports `atStart` and re-exports the target.
 *
 * And a module of a package that only import() paths use keeps out of the start (onDemandOnly below).
 * esbuild puts a whole module in the chunk of every entry that reaches it through static imports, used
 * or not, and a package's index re-exports all its modules: the AWS SDK's protocols index, which the
 * DynamoDB, SSM and SQS clients import their JSON protocols from, reaches the REST protocol, so SES's
 * (loaded on demand) sat in the start chunk, where Node compiles it at every cold start. So a first pass
 * builds the start alone (every import() left out) to learn which modules it reaches and which it uses;
 * then, in the build itself, the static imports of code the start does not reach resolve a package's
 * module the start reaches but does not use under a namespace of its own: the same file, unchanged, as
 * a module the start's imports never name, so it lands in the chunks of the paths that use it. The
 * start's copy is then used by nothing and left out; the build fails should both be used (a module twice).
 *
 * That needs esbuild plugins, which only its asynchronous API runs, and the stack bundles synchronously
 * (CDK's local bundling): so that build runs in a node process of its own, waited for.
 */
function build(options: BuildOptions & { outdir: string }, atStart: string[] = []): Metafile {
  rmSync(options.outdir, { recursive: true, force: true });
  mkdirSync(options.outdir, { recursive: true });
  if (atStart.length === 0) return buildSync({ ...options, metafile: true }).metafile;
  const child = spawnSync(process.execPath, ["-e", BUILD_WITH_IMPORTS_AT_START], {
    cwd: PROJECT_ROOT, input: JSON.stringify({ options, atStart, root: PROJECT_ROOT }), encoding: "utf8", maxBuffer: 256 * 1024 * 1024,
  });
  if (child.status !== 0) throw new Error(`bundling ${options.outdir} failed: ${child.stderr.slice(-2000)}`);
  return JSON.parse(child.stdout) as Metafile;
}

/** The second build (see build()): reads { options, atStart, root } on stdin, writes the metafile on stdout. */
const BUILD_WITH_IMPORTS_AT_START = `
const esbuild = require("esbuild");
const { readFile } = require("node:fs/promises");
const { dirname, resolve } = require("node:path");
let input = "";
process.stdin.on("data", (chunk) => { input += chunk; });
process.stdin.on("end", async () => {
  const { options, atStart, root } = JSON.parse(input);
  const ON_DEMAND = "daybook-on-demand";
  const ON_DEMAND_ONLY = "daybook-on-demand-only";
  const packageOf = (path) => {
    const at = path.lastIndexOf("/node_modules/");
    if (at < 0) return undefined;
    const [scope, name] = path.slice(at + "/node_modules/".length).split("/");
    return scope.startsWith("@") ? scope + "/" + name : scope;
  };

  // The start alone: what it reaches through static imports, what it uses (has code in the output), and their packages.
  const alone = await esbuild.build({ ...options, write: false, metafile: true, plugins: [{
    name: "daybook-start-alone",
    setup(build) {
      build.onResolve({ filter: /.*/ }, (args) => args.kind === "dynamic-import" ? { path: args.path, external: true } : undefined);
    },
  }] });
  const reached = new Set(Object.keys(alone.metafile.inputs).map((each) => resolve(root, each)));
  const used = new Set();
  for (const output of Object.values(alone.metafile.outputs)) {
    for (const [each, { bytesInOutput }] of Object.entries(output.inputs)) if (bytesInOutput > 0) used.add(resolve(root, each));
  }
  const usedPackages = new Set([...used].map(packageOf).filter((name) => name !== undefined));

  const importsAtStartFirst = {
    name: "daybook-imports-at-start-first",
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.kind !== "dynamic-import" || args.pluginData === ON_DEMAND || args.importer.includes("/node_modules/")) return undefined;
        const resolved = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, pluginData: ON_DEMAND });
        // Data (the API's JSON document) imports nothing, and export * would leave out its default export.
        if (resolved.errors.length > 0 || resolved.external || resolved.path.includes("/node_modules/") || !/\\.[cm]?[jt]sx?$/.test(resolved.path)) return undefined;
        return { path: resolved.path, namespace: ON_DEMAND };
      });
      build.onLoad({ filter: /.*/, namespace: ON_DEMAND }, (args) => ({
        contents: [...atStart.map((module) => "import " + JSON.stringify(module) + ";"), "export * from " + JSON.stringify(args.path) + ";"].join("\\n"),
        resolveDir: root,
        loader: "js",
      }));
    },
  };

  const onDemandOnly = {
    name: "daybook-on-demand-only-modules",
    setup(build) {
      build.onResolve({ filter: /.*/ }, async (args) => {
        if (args.pluginData === ON_DEMAND_ONLY || (args.kind !== "import-statement" && args.kind !== "require-call")) return undefined;
        const fromOnDemand = args.namespace === ON_DEMAND_ONLY || (args.namespace === "file" && !reached.has(args.importer));
        if (!fromOnDemand) return undefined;
        // Resolving is a round trip to esbuild: only imports that can name a module of a package the start uses.
        const named = args.path.startsWith(".") || args.path.startsWith("/") ? packageOf(args.importer)
          : args.path.startsWith("node:") ? undefined : args.path.split("/").slice(0, args.path.startsWith("@") ? 2 : 1).join("/");
        if (named === undefined || !usedPackages.has(named)) return undefined;
        const resolved = await build.resolve(args.path, { kind: args.kind, importer: args.importer, resolveDir: args.resolveDir, namespace: "file", pluginData: ON_DEMAND_ONLY });
        if (resolved.errors.length > 0 || resolved.external || resolved.namespace !== "file" || !/\\.[cm]?js$/.test(resolved.path)) return undefined;
        if (!reached.has(resolved.path) || used.has(resolved.path) || !usedPackages.has(packageOf(resolved.path))) return undefined;
        return { path: resolved.path, namespace: ON_DEMAND_ONLY, sideEffects: resolved.sideEffects };
      });
      build.onLoad({ filter: /.*/, namespace: ON_DEMAND_ONLY }, async (args) => ({ contents: await readFile(args.path), resolveDir: dirname(args.path), loader: "js" }));
    },
  };

  const { metafile } = await esbuild.build({ ...options, metafile: true, plugins: [importsAtStartFirst, onDemandOnly] });
  // A module is in the bundle once: the start's copy of one moved out must be used by nothing.
  const withCode = new Set();
  for (const output of Object.values(metafile.outputs)) {
    for (const [each, { bytesInOutput }] of Object.entries(output.inputs)) if (bytesInOutput > 0) withCode.add(each.startsWith(ON_DEMAND_ONLY + ":") ? each : resolve(root, each));
  }
  const twice = [...withCode].filter((each) => each.startsWith(ON_DEMAND_ONLY + ":") && withCode.has(each.slice(ON_DEMAND_ONLY.length + 1)));
  if (twice.length > 0) {
    process.stderr.write("these modules would be in the bundle twice (used by the start and, moved out, by on-demand code): " + twice.join(", ") + "\\n");
    process.exit(1);
  }
  process.stdout.write(JSON.stringify(metafile));
});
`;

/** The ES modules (absolute paths) in the files the entry loads at start, but the entry's own module (it awaits its set-up). */
function modulesAtStart(bundle: Bundle, entryFile: string): string[] {
  const files = new Set(loadedAtStart(bundle).map((file) => join(bundle.outdir, file.path)));
  const modules = new Set<string>();
  for (const [output, meta] of Object.entries(bundle.metafile.outputs)) {
    if (!files.has(join(PROJECT_ROOT, output))) continue;
    for (const [input, { bytesInOutput }] of Object.entries(meta.inputs)) {
      const path = join(PROJECT_ROOT, input);
      if (bytesInOutput > 0 && path !== entryFile && bundle.metafile.inputs[input]?.format === "esm") modules.add(path);
    }
  }
  return [...modules];
}

function buildOptions(name: FunctionName, outdir: string, entryFile: string): BuildOptions & { outdir: string } {
  return {
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
    absWorkingDir: PROJECT_ROOT,
    logLevel: "error",
  };
}

function bundleOf(name: FunctionName, outdir: string, metafile: Metafile): Bundle {
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
export function withStaticImports(bundle: Bundle, roots: string[]): BundledFile[] {
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
