/** Entry point of the `daybook` command. */
// zod's English messages, before any schema is used (lib/validation.ts).
import "../lib/validation";
import { readFile } from "node:fs/promises";
import { runCli } from "../lib/cli/run";

export function main(argv: string[]): Promise<number> {
  return runCli(argv, {
    readFile: (path) => readFile(path, "utf8"),
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    stderrIsTerminal: process.stderr.isTTY,
    environment: process.env,
  });
}
