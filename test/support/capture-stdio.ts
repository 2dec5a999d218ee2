/** vitest setup file: tees this worker's direct stdout/stderr writes into the run's log capture (see log-capture.ts). */
import { CAPTURE_DIR_VARIABLE, captureTo } from "./log-capture";

const folder = process.env[CAPTURE_DIR_VARIABLE];
if (folder === undefined) throw new Error(`${CAPTURE_DIR_VARIABLE} is not set: run the tests through vitest.config.ts`);

// Once per worker: without isolation (the fast lane) a worker runs this file again before each test file.
const TEED = Symbol.for("daybook.capture-stdio");
const streams = [process.stdout, process.stderr] as (NodeJS.WriteStream & { [TEED]?: true })[];

for (const stream of streams) {
  if (stream[TEED]) continue;
  stream[TEED] = true;
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  const source = `worker-${String(process.pid)}-${stream === process.stdout ? "stdout" : "stderr"}`;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    captureTo(folder, source, typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
    return write(chunk, ...rest);
  });
}
