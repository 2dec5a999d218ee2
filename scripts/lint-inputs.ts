/**
 * What each file's lint findings depend on, as one digest per file, so ESLint's cache is right for
 * typescript-eslint's type-aware rules. Those rules read other files' types: make a function async and
 * every unawaited call of it, in files whose own text did not change, becomes a floating promise.
 * ESLint's cache lints a file again only when its text or its config changed, so eslint.config.js puts
 * this digest in each file's settings (part of its config): a file is linted again when it changed,
 * when any file it imports, directly or through others, changed, or when something every file's types
 * can see changed: a file declaring globals or augmenting a module, tsconfig.json, package.json, or
 * package-lock.json (the packages' own types).
 *
 * Run by ESLint's config loader on Node's type stripping, so it imports only node: built-ins and
 * TypeScript (its import scanner and module resolution: what tsc itself resolves).
 */
import { createHash } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { extname, join, relative, sep } from "node:path";
import ts from "typescript";

export interface SourceFacts {
  /** The digest of the file's own text. */
  hash: string;
  /** The project files it imports (paths as in the map's keys). */
  imports: readonly string[];
}

/** The files ESLint lints (eslint.config.js lints every JavaScript and TypeScript file not ignored). */
const LINTED = new Set([".ts", ".tsx", ".mts", ".cts", ".js", ".mjs", ".cjs"]);
/** What every file's types can see besides its imports. */
const EVERYWHERE_FILES = ["tsconfig.json", "package.json", "package-lock.json"];
/** A file whose declarations reach files that do not import it. */
const GLOBAL_DECLARATION = /\bdeclare\s+(global\b|module\s+["'])/;

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * Each file's digest: of its own text, of every file it reaches through imports (cycles included), and
 * of `everywhere`, the inputs every file depends on. Pure; keys are the map's.
 */
export function typeInputDigests(files: ReadonlyMap<string, SourceFacts>, everywhere: readonly string[]): Map<string, string> {
  const common = sha256(everywhere.join("\n"));
  const digests = new Map<string, string>();
  for (const file of files.keys()) {
    const reached = new Set([file]);
    const pending = [file];
    for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
      for (const imported of files.get(next)?.imports ?? []) {
        if (!reached.has(imported)) {
          reached.add(imported);
          pending.push(imported);
        }
      }
    }
    const lines = [...reached].sort().map((path) => `${path} ${files.get(path)?.hash ?? "missing"}`);
    digests.set(file, sha256(`${common}\n${lines.join("\n")}`));
  }
  return digests;
}

export interface LintInputs {
  /** Each linted file's digest, by its path relative to the root with forward slashes. */
  perFile: Map<string, string>;
  /** A digest of every input at once: for a file not in perFile, which is then linted again after any change. */
  all: string;
}

/**
 * Reads the project under `root`: every linted file outside node_modules, .git and `ignoredFolders`,
 * the project files they import (JSON and declaration files too), resolved as tsconfig.json says.
 */
export function lintInputs(root: string, ignoredFolders: readonly string[] = []): LintInputs {
  const skipped = new Set(["node_modules", ".git", ...ignoredFolders.map((folder) => folder.replace(/\/$/, ""))]);
  const config = ts.getParsedCommandLineOfConfigFile(join(root, "tsconfig.json"), undefined, {
    ...ts.sys,
    onUnRecoverableConfigFileDiagnostic: (diagnostic) => {
      throw new Error(ts.flattenDiagnosticMessageText(diagnostic.messageText, "\n"));
    },
  });
  const options = config?.options ?? {};
  const resolutions = ts.createModuleResolutionCache(root, (name) => name, options);
  const key = (absolute: string) => relative(root, absolute).split(sep).join("/");

  const facts = new Map<string, SourceFacts>();
  const everywhere = EVERYWHERE_FILES.map((name) => `${name} ${existsSync(join(root, name)) ? sha256(readFileSync(join(root, name), "utf8")) : "absent"}`);
  const linted: string[] = [];
  const walk = (folder: string) => {
    for (const entry of readdirSync(folder, { withFileTypes: true })) {
      const path = join(folder, entry.name);
      if (entry.isDirectory()) {
        if (!skipped.has(key(path))) walk(path);
      } else if (entry.isFile() && LINTED.has(extname(entry.name)) && !skipped.has(key(path))) {
        linted.push(path);
      }
    }
  };
  walk(root);

  const pending = [...linted];
  for (let file = pending.pop(); file !== undefined; file = pending.pop()) {
    const name = key(file);
    if (facts.has(name)) continue;
    const text = readFileSync(file, "utf8");
    const hash = sha256(text);
    if (extname(file) === ".json") {
      facts.set(name, { hash, imports: [] });
      continue;
    }
    const scanned = ts.preProcessFile(text, true, true);
    const imports: string[] = [];
    for (const { fileName } of [...scanned.importedFiles, ...scanned.referencedFiles]) {
      const target = ts.resolveModuleName(fileName, file, options, ts.sys, resolutions).resolvedModule?.resolvedFileName;
      if (target === undefined || target.split("/").includes("node_modules") || relative(root, target).startsWith("..")) continue;
      imports.push(key(target));
      pending.push(target);
    }
    if (file.endsWith(".d.ts") && !/^\s*(import|export)\s/m.test(text)) everywhere.push(`${name} ${hash}`);
    else if (GLOBAL_DECLARATION.test(text)) everywhere.push(`${name} ${hash}`);
    facts.set(name, { hash, imports });
  }
  everywhere.sort();

  const digests = typeInputDigests(facts, everywhere);
  const perFile = new Map(linted.map((file) => [key(file), digests.get(key(file)) ?? ""]));
  const all = sha256([...everywhere, ...[...facts].map(([name, { hash }]) => `${name} ${hash}`).sort()].join("\n"));
  return { perFile, all };
}
