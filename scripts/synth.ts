/**
 * `npm run synth`: synthesises the CDK app into cdk.out with cdk.json's context, bundling each
 * function with the local esbuild, offline and with no AWS account, then prints each function's
 * bundle: its entry (what every invocation loads) and each chunk (loaded on the paths that use it:
 * infra/bundle.ts), with their sizes. Runs the app in-process instead of through the `cdk` CLI, so the CLI's version and
 * credentials play no part.
 */
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { dirname, join, relative, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { CfnElement } from "aws-cdk-lib";
import { createDaybookApp } from "../infra/app";

const OUTDIR = resolve("cdk.out");

interface CdkJson {
  context?: Record<string, unknown>;
}

interface TemplateResource {
  Type: string;
  Properties?: { Code?: { S3Key?: unknown } };
}

/**
 * The files loaded with `entry` in a bundle's folder: it and what it imports statically, transitively
 * (esbuild's minified `import{…}from"./chunks/….mjs"`; a dynamic `import("…")` is left out).
 */
export function loadedWithEntry(folder: string, entry: string): Set<string> {
  const seen = new Set<string>();
  const visit = (file: string): void => {
    if (seen.has(file)) return;
    seen.add(file);
    const code = readFileSync(join(folder, file), "utf8");
    for (const match of code.matchAll(/import\s*(?:\{[^}]*\}|\*\s*as\s*[\w$]+|[\w$]+)?\s*(?:from)?\s*["'](\.\.?\/[^"']+\.mjs)["']/g)) {
      visit(relative(folder, join(folder, dirname(file), match[1] ?? "")));
    }
  };
  visit(entry);
  return seen;
}

/** Each Lambda function's name (from `names`, by logical id) and the size of its bundled asset folder in `outdir`. */
export function bundleSizes(
  outdir: string, template: { Resources?: Record<string, TemplateResource> }, names: Record<string, string> = {},
): { name: string; folder: string; bytes: number; files: string[]; sizes: Record<string, number> }[] {
  return Object.entries(template.Resources ?? {})
    .filter(([, resource]) => resource.Type === "AWS::Lambda::Function")
    .flatMap(([logicalId, resource]) => {
      const key = resource.Properties?.Code?.S3Key;
      // Inline or custom-resource code has no bundle of ours.
      if (typeof key !== "string" || !key.endsWith(".zip")) return [];
      const folder = join(outdir, `asset.${key.slice(0, -".zip".length)}`);
      const files = readdirSync(folder, { recursive: true, encoding: "utf8" }).filter((file) => statSync(join(folder, file)).isFile());
      const sizes = Object.fromEntries(files.map((file) => [file, statSync(join(folder, file)).size]));
      return [{
        name: names[logicalId] ?? logicalId,
        folder,
        bytes: Object.values(sizes).reduce((total, size) => total + size, 0),
        files,
        sizes,
      }];
    });
}

function main(): void {
  const cdkJson = JSON.parse(readFileSync("cdk.json", "utf8")) as CdkJson;
  rmSync(OUTDIR, { recursive: true, force: true });
  const { app, stack } = createDaybookApp({ outdir: OUTDIR, context: cdkJson.context ?? {} });
  const assembly = app.synth();
  const artifact = assembly.getStackByName(stack.stackName);
  const names = Object.fromEntries(Object.entries(stack.functions).map(([name, fn]) => [stack.getLogicalId(fn.node.defaultChild as CfnElement), name]));
  const sizes = bundleSizes(assembly.directory, artifact.template as { Resources?: Record<string, TemplateResource> }, names);
  const out = (line: string) => process.stdout.write(`${line}\n`);
  out(`\nSynthesised ${stack.stackName} into ${OUTDIR} (${artifact.templateFile}); cdk-nag AwsSolutions: no unacknowledged findings.`);
  out("Function bundles (ESM, code-split: the entry loads at start, each chunk on the first path that needs it):");
  const kib = (bytes: number) => `${(bytes / 1024).toFixed(1).padStart(9)} KiB`;
  for (const { name, bytes, files, sizes: fileSizes, folder } of sizes) {
    const atStart = loadedWithEntry(folder, `${name}.mjs`);
    const startBytes = [...atStart].reduce((total, file) => total + (fileSizes[file] ?? 0), 0);
    out(`  ${name.padEnd(10)} ${kib(bytes)} in all, ${kib(startBytes).trim()} loaded at start`);
    const entryFirst = [...files].sort((a, b) => Number(b === `${name}.mjs`) - Number(a === `${name}.mjs`) || Number(atStart.has(b)) - Number(atStart.has(a)) || (fileSizes[b] ?? 0) - (fileSizes[a] ?? 0));
    for (const file of entryFirst) out(`    ${(file === `${name}.mjs` ? "entry" : atStart.has(file) ? "start" : "chunk").padEnd(6)} ${kib(fileSizes[file] ?? 0)}  ${file}`);
  }
  out("  (entry: the handler's file; start: a chunk the entry imports statically, loaded with it; chunk: loaded by the first path that needs it)");
}

// Only when run (npm run synth), not when a test imports bundleSizes.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
