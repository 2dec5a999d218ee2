/**
 * lib/wiring/lazy.ts: a part made on the first call that needs it, once, and closed with the runtime.
 * (That the Lambda bundles load KMS, SES and SQS only from chunks: test/unit/cdk-stack.test.ts; that the
 * lazy ports work against real clients: test/web/wiring.test.ts and the integration tests.)
 */
import { describe, expect, it } from "vitest";
import { lazy, partlyOnDemand } from "../../lib/wiring/lazy";

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

describe("partlyOnDemand (a port with some methods made at start)", () => {
  interface Port {
    read(id: string): Promise<string>;
    write(id: string, value: string): Promise<void>;
    remove(id: string): Promise<boolean>;
  }

  it("calls the methods made at start without loading anything, and loads the whole port once for the others", async () => {
    const calls: string[] = [];
    let loads = 0;
    const port = partlyOnDemand<Port>({ read: (id) => Promise.resolve(`start:${id}`) }, () => {
      loads += 1;
      return Promise.resolve({
        read: (id: string) => Promise.resolve(`whole:${id}`),
        write: (id: string, value: string) => {
          calls.push(`write ${id}=${value}`);
          return Promise.resolve();
        },
        remove: (id: string) => Promise.resolve(id === "a"),
      });
    });
    expect(await port.read("a")).toBe("start:a");
    expect(loads).toBe(0);
    await Promise.all([port.write("a", "1"), port.remove("b")]);
    expect(await port.remove("a")).toBe(true);
    expect(loads).toBe(1);
    expect(calls).toEqual(["write a=1"]);
    // The method made at start stays the one called.
    expect(await port.read("b")).toBe("start:b");
  });

  it("tries the load again on the next call when it failed", async () => {
    let loads = 0;
    const port = partlyOnDemand<Port>({}, () => {
      loads += 1;
      return loads === 1 ? Promise.reject(new Error("the chunk could not load")) : Promise.resolve({ read: () => Promise.resolve("x"), write: () => Promise.resolve(), remove: () => Promise.resolve(false) });
    });
    await expect(port.read("a")).rejects.toThrow("the chunk could not load");
    expect(await port.read("a")).toBe("x");
  });
});
