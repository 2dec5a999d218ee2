/**
 * `npm start` and its flags (main.ts runs it):
 *
 *   npm start                    the stack on http://localhost:3000 (simulators on 3001-3003), data in .local/
 *   npm start -- --port 4000     the web app on 4000 (or PORT=4000), the simulators on 4001-4003
 *   npm start -- --reset         wipes .local/ first
 *   npm start -- --smoke         the first-time flow headless, on free ports in a temporary folder; exits 1 if a step fails
 */
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { parseArgs } from "node:util";
import { runSmoke } from "./smoke";
import { DEFAULT_PORTS, type LocalStack, startLocalStack } from "./stack";

export interface CommandOutput {
  out: (text: string) => void;
  err: (text: string) => void;
}

const USAGE = "npm start [-- --port <n>] [-- --reset] [-- --smoke]\n";

/** Runs `npm start` with its arguments; resolves with the exit code (interactive: once stopped by a signal). */
export async function runLocalStackCommand(args: string[], output: CommandOutput, dataDir = resolve(".local")): Promise<number> {
  let values;
  try {
    ({ values } = parseArgs({
      args,
      options: { port: { type: "string" }, reset: { type: "boolean", default: false }, smoke: { type: "boolean", default: false }, help: { type: "boolean", default: false } },
      strict: true,
    }));
  } catch (error) {
    output.err(`${error instanceof Error ? error.message : "bad arguments"}\n${USAGE}`);
    return 2;
  }
  if (values.help) {
    output.out(USAGE);
    return 0;
  }
  if (values.smoke) return smoke(output);

  const webPort = Number(values.port ?? process.env["PORT"] ?? DEFAULT_PORTS.web);
  if (!Number.isInteger(webPort) || webPort < 1 || webPort > 65_532) {
    output.err("--port (or PORT) must be a port number below 65533\n");
    return 2;
  }
  if (values.reset) {
    await rm(dataDir, { recursive: true, force: true });
    output.out(`Wiped ${relative(process.cwd(), dataDir) || dataDir}/\n`);
  }
  const stack = await startLocalStack({
    dataDir,
    ports: { web: webPort, square: webPort + 1, clover: webPort + 2, quickbooks: webPort + 3 },
  });
  // The Square SDK takes seconds to load; loaded now, while the reader reads, the first connection is quick.
  void import("square").catch(() => undefined);
  printWelcome(stack, output);
  return stopOnSignal(stack, output);
}

function printWelcome(stack: LocalStack, output: CommandOutput): void {
  const outbox = relative(process.cwd(), stack.outboxDir) || stack.outboxDir;
  output.out([
    "",
    `daybook is running at ${stack.url}`,
    "",
    "First steps:",
    `  1. Open ${stack.url} and sign in with any email address.`,
    `  2. Open the newest file in ${outbox}/ (the .html in a browser, or the .eml in a mail app) and click the link.`,
    "  3. Connect Square and QuickBooks (and Clover if you like): the simulators' consent pages offer the demo",
    "     accounts, with a month of sales up to yesterday.",
    "",
    `Simulators: Square ${stack.square.url}, Clover ${stack.clover.url}, QuickBooks ${stack.quickbooks.url}`,
    `Data is kept in ${relative(process.cwd(), stack.dataDir) || stack.dataDir}/ across restarts; \`npm start -- --reset\` starts afresh.`,
    "Ctrl-C stops everything.",
    "",
  ].join("\n"));
}

function stopOnSignal(stack: LocalStack, output: CommandOutput): Promise<number> {
  return new Promise((done) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) return;
      stopping = true;
      output.out(`\n${signal}: stopping…\n`);
      stack.close().then(() => {
        output.out("Stopped.\n");
        done(0);
      }, (error: unknown) => {
        output.err(`Stopping failed: ${error instanceof Error ? error.message : "unknown error"}\n`);
        done(1);
      });
    };
    process.once("SIGINT", stop);
    process.once("SIGTERM", stop);
  });
}

async function smoke(output: CommandOutput): Promise<number> {
  const dataDir = await mkdtemp(join(tmpdir(), "daybook-smoke-"));
  let stack: LocalStack | undefined;
  try {
    stack = await startLocalStack({ dataDir, ports: { web: 0, square: 0, clover: 0, quickbooks: 0 }, log: () => undefined });
    output.out(`ok    start the local stack (${stack.url})\n`);
    const steps = await runSmoke(stack, (step) => {
      output.out(step.ok ? `ok    ${step.name}\n` : `FAIL  ${step.name}: ${step.problem ?? "failed"}\n`);
    });
    const failed = steps.filter((step) => !step.ok).length;
    output.out(failed === 0 ? `smoke passed: ${String(steps.length + 1)} steps\n` : `smoke failed: ${String(failed)} of ${String(steps.length + 1)} steps\n`);
    return failed === 0 ? 0 : 1;
  } finally {
    await stack?.close();
    await rm(dataDir, { recursive: true, force: true });
  }
}
