/**
 * A part only some paths of a function use, made on the first call that needs it: that call's import()
 * loads the AWS client and its adapter (in the Lambda bundles a chunk of their own, infra/bundle.ts), and
 * what it made is kept for the process's life. It is still constructed here, in the composition root,
 * like every adapter; the port's callers cannot tell it from one made at start.
 */
export interface Lazy<T> {
  /** The part, made on the first call; a making that failed is not kept, so the next call tries again. */
  get(): Promise<T>;
  /** Closes what was made, if anything was (or is being made); the part is not made again after. */
  close(): void;
}

export function lazy<T>(make: () => Promise<T>, close: (made: T) => void = () => undefined): Lazy<T> {
  let making: Promise<T> | undefined;
  let closed = false;
  return {
    get() {
      if (closed) return Promise.reject(new Error("this runtime is closed: its AWS clients are gone"));
      making ??= make().catch((error: unknown) => {
        making = undefined;
        throw error;
      });
      return making;
    },
    close() {
      closed = true;
      void making?.then(close, () => undefined);
    },
  };
}
