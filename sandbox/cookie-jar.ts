/**
 * The cookies a browser keeps for one site, for the headless clients of the local stack's smoke run
 * and the web tests: what Set-Cookie stores or clears, and the Cookie header to send back.
 */
export class CookieJar {
  readonly cookies = new Map<string, string>();

  /** Stores what the response sets; a cookie set empty or with Max-Age=0 is cleared. */
  keep(response: Response): void {
    for (const header of response.headers.getSetCookie()) {
      const [pair = ""] = header.split(";");
      const separator = pair.indexOf("=");
      const name = pair.slice(0, separator);
      const value = pair.slice(separator + 1);
      if (/Max-Age=0\b/i.test(header) || value === "") this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
  }

  /** The Cookie header's value, or undefined when there is nothing to send. */
  header(): string | undefined {
    return this.cookies.size > 0 ? [...this.cookies].map(([name, value]) => `${name}=${value}`).join("; ") : undefined;
  }
}
