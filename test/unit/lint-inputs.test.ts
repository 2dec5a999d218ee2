import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { lintInputs, type SourceFacts, typeInputDigests } from "../../scripts/lint-inputs";

const facts = (entries: Record<string, [hash: string, imports: string[]]>) =>
  new Map<string, SourceFacts>(Object.entries(entries).map(([file, [hash, imports]]) => [file, { hash, imports }]));

/** The files whose digest differs between two runs. */
const changed = (before: Map<string, string>, after: Map<string, string>) => [...before.keys()].filter((file) => before.get(file) !== after.get(file)).sort();

describe("typeInputDigests", () => {
  // a imports b, b imports c; d stands alone.
  const base = { a: ["1", ["b"]], b: ["1", ["c"]], c: ["1", []], d: ["1", []] } satisfies Record<string, [string, string[]]>;

  it("changes a file's digest when it or any file it imports, directly or through others, changed, and no other file's", () => {
    const before = typeInputDigests(facts(base), []);
    expect(changed(before, typeInputDigests(facts({ ...base, c: ["2", []] }), []))).toEqual(["a", "b", "c"]);
    expect(changed(before, typeInputDigests(facts({ ...base, a: ["2", ["b"]] }), []))).toEqual(["a"]);
    // A new import is a change of the importing file's text, and brings in the imported file's.
    expect(changed(before, typeInputDigests(facts({ ...base, b: ["2", ["c", "d"]] }), []))).toEqual(["a", "b"]);
  });

  it("follows import cycles both ways", () => {
    const cycle = { a: ["1", ["b"]], b: ["1", ["a"]], c: ["1", []] } satisfies Record<string, [string, string[]]>;
    const before = typeInputDigests(facts(cycle), []);
    expect(changed(before, typeInputDigests(facts({ ...cycle, a: ["2", ["b"]] }), []))).toEqual(["a", "b"]);
    expect(changed(before, typeInputDigests(facts({ ...cycle, b: ["2", ["a"]] }), []))).toEqual(["a", "b"]);
  });

  it("changes every digest when an input every file depends on changed", () => {
    const before = typeInputDigests(facts(base), ["tsconfig.json 1"]);
    expect(changed(before, typeInputDigests(facts(base), ["tsconfig.json 2"]))).toEqual(["a", "b", "c", "d"]);
  });
});

describe("lintInputs on a project folder", () => {
  let root = "";
  const write = (file: string, text: string) => {
    mkdirSync(dirname(join(root, file)), { recursive: true });
    writeFileSync(join(root, file), text);
  };

  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), "daybook-lint-inputs-"));
    write("tsconfig.json", JSON.stringify({ compilerOptions: { module: "preserve", moduleResolution: "bundler", resolveJsonModule: true, strict: true }, include: ["src", "*.ts"] }));
    write("package.json", "{}");
    write("src/a.ts", 'import type { B } from "./b";\nimport type { P } from "pkg";\nexport type A = B | P;\n');
    write("src/b.ts", 'export * from "./c";\nexport type B = typeof import("./d");\n');
    write("src/c.ts", "export const c = 1;\n");
    write("src/d/index.ts", 'export const data = import("../data.json", { with: { type: "json" } });\n');
    write("src/data.json", '{ "n": 1 }\n');
    write("src/lonely.ts", "export const lonely = 1;\n");
    write("src/augments.ts", 'export {};\ndeclare module "pkg" { interface P { extra: true } }\n');
    write("globals.d.ts", "declare const FLAG: boolean;\n");
    write("node_modules/pkg/index.d.ts", "export interface P { n: number }\n");
    write("node_modules/pkg/package.json", '{ "name": "pkg", "types": "index.d.ts" }\n');
    write("out/built.ts", 'import "../src/c";\n');
  });

  afterEach(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it("lists every linted file outside node_modules and the ignored folders, by its path from the root", () => {
    expect([...lintInputs(root, ["out/"]).perFile.keys()].sort()).toEqual(["globals.d.ts", "src/a.ts", "src/augments.ts", "src/b.ts", "src/c.ts", "src/d/index.ts", "src/lonely.ts"]);
  });

  it("follows type-only imports, re-exports, import types, folder indexes and dynamic imports of JSON, as tsconfig.json resolves them", () => {
    const before = lintInputs(root, ["out/"]).perFile;
    write("src/data.json", '{ "n": 2 }\n');
    expect(changed(before, lintInputs(root, ["out/"]).perFile)).toEqual(["src/a.ts", "src/b.ts", "src/d/index.ts"]);
    write("src/c.ts", "export const c = 2;\n");
    write("src/data.json", '{ "n": 1 }\n');
    expect(changed(before, lintInputs(root, ["out/"]).perFile)).toEqual(["src/a.ts", "src/b.ts", "src/c.ts"]);
  });

  it("changes every file's digest when a global declaration, a module augmentation, tsconfig.json or the packages change", () => {
    const all = ["globals.d.ts", "src/a.ts", "src/augments.ts", "src/b.ts", "src/c.ts", "src/d/index.ts", "src/lonely.ts"];
    let before = lintInputs(root, ["out/"]);
    for (const [file, text] of [
      ["globals.d.ts", "declare const FLAG: number;\n"],
      ["src/augments.ts", 'export {};\ndeclare module "pkg" { interface P { extra: false } }\n'],
      ["tsconfig.json", JSON.stringify({ compilerOptions: { module: "preserve", moduleResolution: "bundler", resolveJsonModule: true, strict: false }, include: ["src", "*.ts"] })],
      ["package-lock.json", '{ "lockfileVersion": 3 }\n'],
    ] as const) {
      write(file, text);
      const after = lintInputs(root, ["out/"]);
      expect(changed(before.perFile, after.perFile), file).toEqual(all);
      expect(after.all, file).not.toBe(before.all);
      before = after;
    }
  });

  it("leaves every digest as it was when nothing changed, and ignores files in node_modules", () => {
    const before = lintInputs(root, ["out/"]);
    write("node_modules/pkg/index.d.ts", "export interface P { n: string }\n");
    const after = lintInputs(root, ["out/"]);
    expect(after.perFile).toEqual(before.perFile);
    expect(after.all).toBe(before.all);
  });
});
