import { describe, expect, it } from "vitest";
import { browserName, UNKNOWN_BROWSER } from "../../lib/web/browser-name";

describe("a signed-in browser's name", () => {
  it("names the browser, its version and the system as a person knows them", () => {
    expect(browserName("Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36")).toBe("Chrome 131 on macOS");
    expect(browserName("Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:133.0) Gecko/20100101 Firefox/133.0")).toBe("Firefox 133 on Windows");
    expect(browserName("Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1")).toBe("Safari 17.5 on iPhone");
    expect(browserName("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.6778.135 Mobile Safari/537.36")).toBe("Chrome 131 on Android");
  });

  it("says it does not know rather than guess, for an empty or made-up User-Agent", () => {
    expect(browserName("")).toBe(UNKNOWN_BROWSER);
    expect(browserName("curl/8.5.0")).toBe(UNKNOWN_BROWSER);
    expect(browserName("Tablet <b>Browser</b>")).toBe(UNKNOWN_BROWSER);
  });
});
