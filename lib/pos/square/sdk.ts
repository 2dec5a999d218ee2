/**
 * The official `square` SDK, loaded on first use (it is CommonJS with one entry point: about 3 MB
 * minified and hundreds of milliseconds to evaluate, so a path that never calls Square never pays).
 *
 * Node's own import() of a CommonJS package gives its exports by name, but in the Lambda bundles
 * (infra/bundle.ts: ESM, code-split) the SDK is a chunk whose only export is `default`, the package's
 * module.exports, and esbuild adds no interop at the import() site: taking `SquareClient` off the
 * namespace there is undefined ("SquareClient is not a constructor" on every Square call). So the
 * namespace is unwrapped when that is what came back.
 */
import type * as SquareSdk from "square";

let loading: Promise<typeof SquareSdk> | undefined;

export function loadSquareSdk(): Promise<typeof SquareSdk> {
  loading ??= import("square").then(sdkExports);
  return loading;
}

/** The SDK's exports from what import() gave: the namespace itself, or its default export when that holds them. */
export function sdkExports(loaded: typeof SquareSdk | { default?: unknown }): typeof SquareSdk {
  if ("SquareClient" in loaded && typeof loaded.SquareClient === "function") return loaded;
  const inner = (loaded as { default?: unknown }).default;
  if (typeof inner === "object" && inner !== null && "SquareClient" in inner && typeof inner.SquareClient === "function") return inner as typeof SquareSdk;
  throw new TypeError("the square SDK loaded without its SquareClient");
}
