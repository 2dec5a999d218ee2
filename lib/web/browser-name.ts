/**
 * A signed-in browser as a person knows it ("Chrome 131 on macOS", "Safari 17.5 on iPhone"), read from
 * the User-Agent its session kept, by bowser (the parser the AWS SDK already brings). The operating
 * system's version is left out: browsers freeze it in the User-Agent (every Mac says 10.15.7).
 */
import Bowser from "bowser";

export const UNKNOWN_BROWSER = "Unknown browser";

export function browserName(userAgent: string): string {
  if (userAgent.trim() === "") return UNKNOWN_BROWSER;
  const { browser, os, platform } = Bowser.parse(userAgent);
  if (!browser.name) return UNKNOWN_BROWSER;
  const major = browser.version?.split(".").slice(0, browser.name === "Safari" ? 2 : 1).join(".");
  const device = platform.model === "iPhone" || platform.model === "iPad" ? platform.model : os.name;
  return `${browser.name}${major ? ` ${major}` : ""}${device ? ` on ${device}` : ""}`;
}
