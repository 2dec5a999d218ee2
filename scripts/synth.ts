/**
 * `npm run synth`: synthesises the CDK app into cdk.out with cdk.json's context, bundling each
 * function with the local esbuild, offline and with no AWS account, then prints each function's
 * bundle size. Runs the app in-process instead of through the `cdk` CLI, so the CLI's version and
 * credentials play no part.
 */
import { readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { join, resolve } from "node:path";
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

/** Each Lambda function's name (from `names`, by logical id) and the size of its bundled asset folder in `outdir`. */
export function bundleSizes(
  outdir: string, template: { Resources?: Record<string, TemplateResource> }, names: Record<string, string> = {},
): { name: string; bytes: number; files: string[] }[] {
  return Object.entries(template.Resources ?? {})
    .filter(([, resource]) => resource.Type === "AWS::Lambda::Function")
    .flatMap(([logicalId, resource]) => {
      const key = resource.Properties?.Code?.S3Key;
      // Inline or custom-resource code has no bundle of ours.
      if (typeof key !== "string" || !key.endsWith(".zip")) return [];
      const folder = join(outdir, `asset.${key.slice(0, -".zip".length)}`);
      const files = readdirSync(folder, { recursive: true, encoding: "utf8" }).filter((file) => statSync(join(folder, file)).isFile());
      return [{
        name: names[logicalId] ?? logicalId,
        bytes: files.reduce((total, file) => total + statSync(join(folder, file)).size, 0),
        files,
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
  out("Function bundles:");
  for (const { name, bytes, files } of sizes) {
    out(`  ${name.padEnd(10)} ${(bytes / 1024).toFixed(1).padStart(9)} KiB  (${files.join(", ")})`);
  }
}

// Only when run (npm run synth), not when a test imports bundleSizes.
if (process.argv[1] !== undefined && import.meta.url === pathToFileURL(process.argv[1]).href) main();
