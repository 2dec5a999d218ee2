/**
 * Part 5's Square and QuickBooks simulators in a process of their own (bench/cost-job.ts), so the CPU
 * they spend serving the measured night (Hono, the server's HTTP parsing, the simulated APIs) is not
 * counted as the job's: the job process's cpuUsage then holds the worker's work alone.
 *
 * The simulators are started here as sandbox/world.ts starts them (startWorldSimulators: the same seeds,
 * the stated latency), on a clock the job sets (the same offset from this machine's clock as the job's
 * own). The job drives them over Node's IPC channel: each simulator's methods become async calls of
 * the same name (Remote), their arguments and answers copied by the structured clone algorithm.
 *
 *   startSimulatorsProcess({ providerLatencyMs })   (the job's side; the child runs this file)
 */
import { type ChildProcess, fork } from "node:child_process";
import { once } from "node:events";
import { fileURLToPath } from "node:url";
import type { QuickBooksSimulator } from "../sandbox/quickbooks/server";
import type { SquareSimulator } from "../sandbox/square/server";
import { startWorldSimulators } from "../sandbox/world";

/** A simulator in another process: its values as they were at start, each method an async call. */
export type Remote<T> = {
  readonly [K in keyof T]: T[K] extends (...args: infer A) => infer R ? (...args: A) => Promise<Awaited<R>> : T[K];
};

export interface SimulatorsProcess {
  square: Remote<SquareSimulator>;
  quickbooks: Remote<QuickBooksSimulator>;
  /** Moves the simulators' clock to the machine's clock + offsetMs (the job's clock, as the job keeps it). */
  setClockOffset(offsetMs: number): Promise<void>;
  /** The simulators process's CPU (user + system) since it started, ms. */
  cpuMs(): Promise<number>;
  /** Disconnects: the process closes the simulators and exits; waits for it (either simulator's close() does it too). */
  close(): Promise<void>;
}

export interface SimulatorsProcessOptions {
  /** How long every Square and QuickBooks answer waits first (sandbox/world.ts providerLatencyMs). */
  providerLatencyMs?: number;
}

type Target = "square" | "quickbooks";
/** The job's requests: a simulator's method called, the clock moved, the CPU asked for (the end: the job disconnects). */
type Request = { call: Target; method: string; args: unknown[] } | { clockOffsetMs: number } | { cpu: true };
export type SimulatorsRequest = Request & { id: number };
/** The process's answers: first what each simulator is (its values and method names), then one per request. */
export type SimulatorsAnswer =
  | { ready: Record<Target, Shape> }
  | { id: number; result: unknown }
  | { id: number; error: string };
/** A simulator's plain values (its URL, client id and secret…) and the names of its methods. */
export interface Shape { values: Record<string, unknown>; methods: string[] }

/** What an object is as a Remote: its own function properties are methods, the rest values. */
export function shapeOf(simulator: object): Shape {
  const values: Record<string, unknown> = {};
  const methods: string[] = [];
  for (const [name, value] of Object.entries(simulator)) {
    if (typeof value === "function") methods.push(name);
    else values[name] = value;
  }
  return { values, methods };
}

/** A Remote of the shape, each method sending `call(method, args)`. */
export function remoteOf<T>(shape: Shape, call: (method: string, args: unknown[]) => Promise<unknown>): Remote<T> {
  const remote: Record<string, unknown> = { ...shape.values };
  for (const method of shape.methods) remote[method] = (...args: unknown[]) => call(method, args);
  return remote as Remote<T>;
}

const CHILD = fileURLToPath(import.meta.url);

/** Starts the simulators in a child process (tsx loads this file there) and connects to them. */
export async function startSimulatorsProcess(options: SimulatorsProcessOptions = {}): Promise<SimulatorsProcess> {
  const child: ChildProcess = fork(CHILD, [JSON.stringify(options)], {
    execArgv: ["--import", "tsx"],
    serialization: "advanced",
    // Anything it prints goes to the job's stderr: the job's stdout is its result.
    stdio: ["ignore", 2, 2, "ipc"],
  });
  const exited = once(child, "exit");
  const pending = new Map<number, { resolve: (value: unknown) => void; reject: (error: Error) => void }>();
  let ready: ((shapes: Record<Target, Shape>) => void) | undefined;
  const shapes = new Promise<Record<Target, Shape>>((resolve, reject) => {
    ready = resolve;
    child.once("error", reject);
    void exited.then(([code]) => {
      reject(new Error(`the simulators process exited (${String(code)}) before it was ready`));
    });
  });
  child.on("message", (message: SimulatorsAnswer) => {
    if ("ready" in message) {
      ready?.(message.ready);
      return;
    }
    const waiting = pending.get(message.id);
    pending.delete(message.id);
    if ("error" in message) waiting?.reject(new Error(message.error));
    else waiting?.resolve(message.result);
  });
  void exited.then(([code]) => {
    for (const waiting of pending.values()) waiting.reject(new Error(`the simulators process exited (${String(code)})`));
    pending.clear();
  });
  let next = 0;
  const send = (request: Request): Promise<unknown> => {
    if (child.exitCode !== null || child.signalCode !== null) return Promise.reject(new Error("the simulators process has exited"));
    const id = ++next;
    return new Promise((resolve, reject) => {
      pending.set(id, { resolve, reject });
      child.send({ ...request, id });
    });
  };
  let closing: Promise<void> | undefined;
  const close = () => {
    closing ??= (async () => {
      if (child.connected) child.disconnect();
      await exited;
    })();
    return closing;
  };
  const { square, quickbooks } = await shapes;
  const remote = <T>(target: Target, shape: Shape) => {
    const simulator = remoteOf<T>(shape, (method, args) => send({ call: target, method, args }));
    return { ...simulator, close } as Remote<T>;
  };
  return {
    square: remote<SquareSimulator>("square", square),
    quickbooks: remote<QuickBooksSimulator>("quickbooks", quickbooks),
    setClockOffset: async (clockOffsetMs) => {
      await send({ clockOffsetMs });
    },
    cpuMs: async () => (await send({ cpu: true })) as number,
    close,
  };
}

/** The child: the simulators on the job's clock, answering the job's requests until it says close or goes away. */
async function serve(options: SimulatorsProcessOptions): Promise<void> {
  let offsetMs = 0;
  const simulators = await startWorldSimulators({ now: () => Date.now() + offsetMs, ...(options.providerLatencyMs ? { providerLatencyMs: options.providerLatencyMs } : {}) });
  const targets: Record<Target, object> = simulators;
  const answer = (message: SimulatorsAnswer) => process.send?.(message);
  process.on("message", (request: SimulatorsRequest) => {
    void (async () => {
      try {
        if ("call" in request) {
          const method = (targets[request.call] as Record<string, unknown>)[request.method];
          if (typeof method !== "function" || request.method === "close") throw new Error(`the ${request.call} simulator has no method ${request.method}`);
          answer({ id: request.id, result: await (method as (...args: unknown[]) => unknown)(...request.args) });
        } else if ("clockOffsetMs" in request) {
          offsetMs = request.clockOffsetMs;
          answer({ id: request.id, result: null });
        } else {
          const used = process.cpuUsage();
          answer({ id: request.id, result: (used.user + used.system) / 1000 });
        }
      } catch (error) {
        answer({ id: request.id, error: error instanceof Error ? error.message : String(error) });
      }
    })();
  });
  // The end: the job closed the channel (or went away): nothing is left listening.
  process.once("disconnect", () => {
    void Promise.all([simulators.square.close(), simulators.quickbooks.close()]).finally(() => process.exit(0));
  });
  answer({ ready: { square: shapeOf(simulators.square), quickbooks: shapeOf(simulators.quickbooks) } });
}

if (process.argv[1]?.endsWith("simulators-process.ts") && process.send) await serve(JSON.parse(process.argv[2] ?? "{}") as SimulatorsProcessOptions);
