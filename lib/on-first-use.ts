/**
 * What `load` gives, loaded by the first call that needs it and then kept for the process's life; a load
 * that failed is not kept, so the next call tries again. For a module only some paths import (in the
 * Lambda bundles a chunk of its own, infra/bundle.ts) and the part made from it.
 */
export function onFirstUse<T>(load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | undefined;
  return () => (loading ??= load().catch((error: unknown) => {
    loading = undefined;
    throw error;
  }));
}
