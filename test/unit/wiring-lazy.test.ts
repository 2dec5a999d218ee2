/**
 * lib/wiring/lazy.ts: a part made on the first call that needs it, once, and closed with the runtime.
 * (That the Lambda bundles load KMS, SES and SQS only from chunks: test/unit/cdk-stack.test.ts; that the
 * lazy ports work against real clients: test/web/wiring.test.ts and the integration tests.)
 */
import { describe, expect, it } from "vitest";
import { lazy } from "../../lib/wiring/lazy";

describe("lazy (a part made on first use)", () => {
  it("makes nothing until asked, then once, however many calls arrive while it is being made", async () => {
    let made = 0;
    const part = lazy(async () => {
      made += 1;
      await new Promise((resolve) => setTimeout(resolve, 5));
      return { id: made };
    });
    expect(made).toBe(0);
    const [first, second] = await Promise.all([part.get(), part.get()]);
    expect(made).toBe(1);
    expect(first).toBe(second);
    expect(await part.get()).toBe(first);
  });

  it("keeps no failed making: the next call tries again", async () => {
    let attempts = 0;
    const part = lazy(() => {
      attempts += 1;
      return attempts === 1 ? Promise.reject(new Error("the module could not load")) : Promise.resolve("client");
    });
    await expect(part.get()).rejects.toThrow("the module could not load");
    expect(await part.get()).toBe("client");
    expect(attempts).toBe(2);
  });

  it("closes what it made, once; closes nothing when nothing was made; makes nothing after", async () => {
    const closed: string[] = [];
    const unused = lazy(() => Promise.resolve("unused"), (made) => closed.push(made));
    unused.close();
    const used = lazy(() => Promise.resolve("used"), (made) => closed.push(made));
    await used.get();
    used.close();
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toEqual(["used"]);
    await expect(used.get()).rejects.toThrow("closed");
    await expect(unused.get()).rejects.toThrow("closed");
  });

  it("closes a part still being made when it arrives", async () => {
    const closed: string[] = [];
    let finish: (value: string) => void = () => undefined;
    const part = lazy(() => new Promise<string>((resolve) => { finish = resolve; }), (made) => closed.push(made));
    const getting = part.get();
    part.close();
    finish("late");
    expect(await getting).toBe("late");
    await new Promise((resolve) => setImmediate(resolve));
    expect(closed).toEqual(["late"]);
  });
});
