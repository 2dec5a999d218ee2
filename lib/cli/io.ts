/** What the CLI needs from the outside world, so that its logic runs the same in tests. */
export interface CliIo {
  readFile(path: string): Promise<string>;
  stdout(text: string): void;
  stderr(text: string): void;
  /** stderr is a terminal: progress can be redrawn in place. */
  stderrIsTerminal?: boolean;
  environment: Record<string, string | undefined>;
}

/** The person's input is wrong: a missing file, bad JSON, an unknown option. Exit code 2. */
export class CliUsageError extends Error {
  override name = "CliUsageError";
}
