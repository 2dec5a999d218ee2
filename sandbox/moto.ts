/**
 * One `moto_server` (Python moto 5) on a free loopback port: real AWS wire protocols for the
 * integration tests, no AWS account. Started once per test run by moto-global-setup.ts.
 */
import { type ChildProcess, spawn } from "node:child_process";
import { createServer } from "node:net";
import { delimiter } from "node:path";
import { fileURLToPath } from "node:url";

export const MOTO_INSTALL_HINT = "install it with pip install 'moto[server]' (Python moto 5) and run the tests again";

export interface MotoServer {
  /** e.g. http://127.0.0.1:40123 */
  endpoint: string;
  /** Milliseconds from spawning the process to its first answer. */
  startupMs: number;
  stop(): Promise<void>;
}

export interface StartMotoOptions {
  command?: string;
  /** How long a cold Python start may take before we give up. */
  timeoutMs?: number;
  /**
   * No request log and the service lookup kept per host (sandbox/moto-lean/sitecustomize.py): the
   * same answers for less of moto's CPU. The tests' servers; the benchmarks keep moto as it comes, so
   * their moto figures compare with earlier runs.
   */
  lean?: boolean;
}

export class MotoStartError extends Error {
  override name = "MotoStartError";
}

const HOST = "127.0.0.1";
const POLL_INTERVAL_MS = 50;
const OUTPUT_TAIL_CHARS = 2_000;
const PORT_ATTEMPTS = 3;
const LEAN_FOLDER = fileURLToPath(new URL("moto-lean", import.meta.url));

export async function startMoto(options: StartMotoOptions = {}): Promise<MotoServer> {
  const { command = "moto_server", timeoutMs = 20_000, lean = false } = options;
  const env = lean ? leanEnv(process.env) : process.env;
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    try {
      return await startOn(command, port, timeoutMs, env);
    } catch (error) {
      // The port was free when we asked, but another process may have taken it since.
      if (!(error instanceof PortTakenError) || attempt === PORT_ATTEMPTS) throw error;
    }
  }
}

class PortTakenError extends MotoStartError {}

/**
 * Python loads sandbox/moto-lean/sitecustomize.py first, and it applies itself only where this variable
 * is set; no bytecode is written beside it (the clone stays clean).
 */
function leanEnv(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  const path = [LEAN_FOLDER, ...(env["PYTHONPATH"] ?? "").split(delimiter).filter((entry) => entry !== "")].join(delimiter);
  return { ...env, PYTHONPATH: path, DAYBOOK_MOTO_LEAN: "1", PYTHONDONTWRITEBYTECODE: "1" };
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, HOST, () => {
      const address = server.address();
      server.close(() => {
        if (address !== null && typeof address === "object") resolve(address.port);
        else reject(new MotoStartError("could not find a free loopback port for moto_server"));
      });
    });
  });
}

async function startOn(command: string, port: number, timeoutMs: number, env: NodeJS.ProcessEnv): Promise<MotoServer> {
  const endpoint = `http://${HOST}:${port}`;
  const started = performance.now();
  // Its own process group, so stop() ends moto and anything it spawned (e.g. a pyenv shim's child).
  const child = spawn(command, ["-H", HOST, "-p", String(port)], { detached: true, stdio: ["ignore", "pipe", "pipe"], env });
  const output = captureTail(child);
  const exited = new Promise<Error>((resolve) => {
    child.once("error", (error: NodeJS.ErrnoException) => {
      resolve(new MotoStartError(error.code === "ENOENT" ? `moto_server is not installed: ${MOTO_INSTALL_HINT}` : `moto_server could not be started: ${error.message}`));
    });
    child.once("exit", (code, signal) => { resolve(exitError(code, signal, output())); });
  });
  const killOnExit = (): void => { killGroup(child, "SIGKILL"); };
  process.once("exit", killOnExit);

  const polling = new AbortController();
  const failure = await Promise.race([exited, waitUntilAnswering(endpoint, timeoutMs, polling.signal).then(() => undefined)])
    .catch((error: unknown) => error instanceof Error ? error : new MotoStartError(String(error)));
  polling.abort();
  if (failure !== undefined) {
    process.removeListener("exit", killOnExit);
    await stopProcess(child);
    throw failure;
  }
  const startupMs = Math.round(performance.now() - started);
  return {
    endpoint,
    startupMs,
    async stop() {
      process.removeListener("exit", killOnExit);
      await stopProcess(child);
    },
  };
}

function exitError(code: number | null, signal: NodeJS.Signals | null, output: string): MotoStartError {
  const lastLine = output.trim().split("\n").at(-1)?.trim() ?? "";
  // 127: a shell or pyenv shim found no moto_server to run.
  if (code === 127 || /command not found|No module named/.test(output)) {
    return new MotoStartError(`moto_server is not installed: ${MOTO_INSTALL_HINT}`);
  }
  if (/address already in use/i.test(output)) return new PortTakenError(`moto_server could not bind its port: ${lastLine}`);
  const how = signal === null ? `with code ${String(code)}` : `on ${signal}`;
  return new MotoStartError(`moto_server exited ${how} before it answered${lastLine ? `: ${lastLine}` : ""}`);
}

/** Keeps the last lines of moto's output for error messages, and drains the pipes so moto never blocks on a full one. */
function captureTail(child: ChildProcess): () => string {
  let tail = "";
  const keep = (chunk: Buffer): void => { tail = (tail + chunk.toString("utf8")).slice(-OUTPUT_TAIL_CHARS); };
  child.stdout?.on("data", keep);
  child.stderr?.on("data", keep);
  return () => tail;
}

async function waitUntilAnswering(endpoint: string, timeoutMs: number, stopped: AbortSignal): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  while (!stopped.aborted) {
    try {
      const response = await fetch(`${endpoint}/moto-api/`, { signal: AbortSignal.timeout(1_000) });
      await response.body?.cancel();
      return;
    } catch {
      // Not listening yet.
    }
    if (performance.now() > deadline) {
      throw new MotoStartError(`moto_server did not answer on ${endpoint} within ${timeoutMs / 1000} s`);
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_INTERVAL_MS));
  }
}

/** The whole group, even when its leader is gone: a wrapper (pyenv shim, shell script) may leave moto behind it. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  if (child.pid === undefined) return;
  try {
    process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/** SIGKILL: moto keeps everything in memory, so there is nothing to shut down cleanly, and SIGTERM costs ~0.2 s. */
async function stopProcess(child: ChildProcess): Promise<void> {
  const running = child.pid !== undefined && child.exitCode === null && child.signalCode === null;
  const exited = running ? new Promise<void>((resolve) => child.once("exit", () => { resolve(); })) : Promise.resolve();
  killGroup(child, "SIGKILL");
  await exited;
  child.stdout?.destroy();
  child.stderr?.destroy();
}
