/**
 * A part only some paths of a function use, made on the first call that needs it: that call's import()
 * loads the AWS client and its adapter (in the Lambda bundles a chunk of their own, infra/bundle.ts), and
 * what it made is kept for the process's life. It is still constructed here, in the composition root,
 * like every adapter; the port's callers cannot tell it from one made at start.
 */
import { onFirstUse } from "../on-first-use";

export interface Lazy<T> {
  /** The part, made on the first call; a making that failed is not kept, so the next call tries again. */
  get(): Promise<T>;
  /** Closes what was made, if anything was (or is being made); the part is not made again after. */
  close(): void;
}

export function lazy<T>(make: () => Promise<T>, close: (made: T) => void = () => undefined): Lazy<T> {
  let making: Promise<T> | undefined;
  let closed = false;
  const made = onFirstUse(() => (making = make()));
  return {
    get() {
      if (closed) return Promise.reject(new Error("this runtime is closed: its AWS clients are gone"));
      return made();
    },
    close() {
      closed = true;
      void making?.then(close, () => undefined);
    },
  };
}

/** A port whose every member is a function returning a promise: what lazyPort can stand in for. */
export type AsyncPort<T> = { [K in keyof T]: T[K] extends (...args: never[]) => Promise<unknown> ? T[K] : never };

/**
 * A port made on the first call of any of its methods: `load` imports its module (in the Lambda
 * bundles a chunk of its own) and makes it, once; every method waits for that and calls the real one.
 * For ports whose members are all async methods (the type says so), so a caller cannot tell it from the
 * port made at start. A load that failed is not kept: the next call tries again.
 */
export function lazyPort<T extends AsyncPort<T>>(load: () => Promise<T>): T {
  const made = lazy(load);
  const methods = new Map<PropertyKey, (...args: unknown[]) => Promise<unknown>>();
  return new Proxy({} as T, {
    get(_target, key) {
      // Not a thenable (an async function may return the port), and no symbol-keyed members.
      if (key === "then" || typeof key === "symbol") return undefined;
      let method = methods.get(key);
      if (!method) {
        method = async (...args: unknown[]) => {
          const port = (await made.get()) as Record<PropertyKey, unknown>;
          const real = port[key];
          if (typeof real !== "function") throw new TypeError(`the port has no method ${key}`);
          return (real as (...a: unknown[]) => Promise<unknown>).apply(port, args);
        };
        methods.set(key, method);
      }
      return method;
    },
  });
}

/**
 * A port with the methods a runtime's every invocation calls made already (`atStart`), and every other
 * one forwarded as lazyPort forwards it: `load` imports and makes the whole port on the first call of
 * one of them, once.
 */
export function partlyOnDemand<T extends AsyncPort<T>>(atStart: Partial<T>, load: () => Promise<T>): T {
  const made = atStart as Record<PropertyKey, unknown>;
  const rest = lazyPort(load) as Record<PropertyKey, unknown>;
  return new Proxy({} as T, {
    get: (_target, key) => (Object.hasOwn(made, key) ? made[key] : rest[key]),
  });
}
