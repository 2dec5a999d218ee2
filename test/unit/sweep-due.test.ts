/**
 * The refresh sweep's kept time (lib/connections/refresh-sweep.ts sweepDueAt): the sweep opens a
 * connection's tokens only from that time on, so the time must never come after the moment the sweep
 * would first find them due, for any provider's rule.
 */
import { describe, expect, it } from "vitest";
import { sweepDueAt, sweepReason, SWEEP_LOOK_EVERY_DAYS } from "../../lib/connections/sweep-due";
import type { Connection } from "../../lib/model";
import { createCloverProvider } from "../../lib/oauth/clover";
import type { OAuthProvider } from "../../lib/oauth/provider";
import { createQuickBooksProvider } from "../../lib/oauth/quickbooks";
import { createSquareProvider } from "../../lib/oauth/square";
import type { StoredTokens } from "../../lib/oauth/tokens";

const DAY = 86_400_000;
const HOUR = 3_600_000;
const now = new Date("2026-12-06T12:00:00.000Z");
const at = (ms: number) => new Date(now.getTime() + ms).toISOString();
const client = { clientId: "id", clientSecret: "secret", redirectUri: "https://daybook.example/callback" };
const providers: Record<string, OAuthProvider> = {
  quickbooks: createQuickBooksProvider({ ...client, environment: "sandbox" }),
  square: createSquareProvider(client),
  clover: createCloverProvider(client),
};
const connection = { merchantId: "m1", connectionId: "c1", provider: "quickbooks", status: "active", tokenVersion: 3 } as Connection;

/** Tokens of every shape the providers give: refresh token ends known or not, ages old and new, access tokens near their end or not. */
const shapes: StoredTokens[] = [
  { accessToken: "a", refreshToken: "r", accessTokenExpiresAt: at(-HOUR), refreshTokenExpiresAt: at(100 * DAY) },
  { accessToken: "a", refreshToken: "r", accessTokenExpiresAt: at(HOUR), refreshTokenExpiresAt: at(10 * DAY) },
  { accessToken: "a", refreshToken: "r", accessTokenExpiresAt: at(HOUR), refreshTokenExpiresAt: at(20 * DAY) },
  { accessToken: "a", refreshToken: "r", obtainedAt: at(-3 * DAY), accessTokenExpiresAt: at(27 * DAY) },
  { accessToken: "a", refreshToken: "r", obtainedAt: at(-10 * DAY), accessTokenExpiresAt: at(20 * DAY) },
  { accessToken: "a", refreshToken: "r", obtainedAt: at(-1 * DAY), accessTokenExpiresAt: at(12 * HOUR) },
  { accessToken: "a", refreshToken: "r", accessTokenExpiresAt: at(3 * DAY) },
  { accessToken: "a", refreshToken: "r" },
  { accessToken: "a" },
];

describe("when the refresh sweep opens a connection's tokens next", () => {
  it("is never later than the first sweep that would find them due, for every provider and every shape of tokens", () => {
    for (const [name, provider] of Object.entries(providers)) {
      for (const tokens of shapes) {
        const due = sweepDueAt(tokens, provider, now);
        expect(due, `${name} ${JSON.stringify(tokens)}`).toBeDefined();
        // Every six hours from now to the week's end: due by the sweep's own rule means the kept time has come.
        for (let ms = 0; ms <= SWEEP_LOOK_EVERY_DAYS * DAY; ms += 6 * HOUR) {
          const sweepAt = new Date(now.getTime() + ms);
          if (sweepReason(connection, tokens, provider, sweepAt) !== undefined) expect(due!.getTime(), `${name} ${JSON.stringify(tokens)} at +${ms / HOUR} h`).toBeLessThanOrEqual(sweepAt.getTime());
        }
      }
    }
  });

  it("is the provider's own time where it comes first: 14 days before QuickBooks' refresh token ends, Square's week, and at most a week ahead otherwise", () => {
    const quickbooks = providers["quickbooks"]!;
    const square = providers["square"]!;
    expect(sweepDueAt({ accessToken: "a", refreshToken: "r", refreshTokenExpiresAt: at(100 * DAY) }, quickbooks, now)).toEqual(new Date(now.getTime() + 7 * DAY));
    expect(sweepDueAt({ accessToken: "a", refreshToken: "r", refreshTokenExpiresAt: at(17 * DAY) }, quickbooks, now)).toEqual(new Date(now.getTime() + 3 * DAY));
    expect(sweepDueAt({ accessToken: "a", refreshToken: "r", obtainedAt: at(-3 * DAY), accessTokenExpiresAt: at(27 * DAY) }, square, now)).toEqual(new Date(now.getTime() + 4 * DAY));
    expect(sweepDueAt({ accessToken: "a" }, square, now)).toEqual(new Date(now.getTime() + 7 * DAY));
  });

  it("is now when a refresh's answer was lost, and unknown (opened every sweep) where no provider is configured", () => {
    const uncertain: StoredTokens = { accessToken: "a", refreshToken: "r", refreshTokenExpiresAt: at(100 * DAY), refreshUncertainSince: at(-HOUR) };
    expect(sweepDueAt(uncertain, providers["quickbooks"], now)).toEqual(now);
    expect(sweepReason(connection, uncertain, providers["quickbooks"], now)).toBe("mend");
    expect(sweepDueAt(uncertain, undefined, now)).toBeUndefined();
  });
});
