/** `npm start`: the whole of daybook on this machine, no AWS account needed (cli.ts, stack.ts). */
import { runLocalStackCommand } from "./cli";

runLocalStackCommand(process.argv.slice(2), { out: (text) => process.stdout.write(text), err: (text) => process.stderr.write(text) }).then((code) => {
  process.exitCode = code;
}, (error: unknown) => {
  process.stderr.write(`${error instanceof Error ? error.message : "npm start failed"}\n`);
  process.exitCode = 1;
});
