/** vitest setup file: tees this worker's direct stdout/stderr writes into the run's log capture (see log-capture.ts). */
import { CAPTURE_DIR_VARIABLE, captureTo } from "./log-capture";

const folder = process.env[CAPTURE_DIR_VARIABLE];
if (folder === undefined) throw new Error(`${CAPTURE_DIR_VARIABLE} is not set: run the tests through vitest.config.ts`);

for (const stream of [process.stdout, process.stderr]) {
  const write = stream.write.bind(stream) as (...args: unknown[]) => boolean;
  const source = `worker-${String(process.pid)}-${stream === process.stdout ? "stdout" : "stderr"}`;
  stream.write = ((chunk: unknown, ...rest: unknown[]) => {
    captureTo(folder, source, typeof chunk === "string" ? chunk : Buffer.from(chunk as Uint8Array).toString("utf8"));
    return write(chunk, ...rest);
  });
}
