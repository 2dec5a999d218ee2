/**
 * The fault campaign (chaos/campaign.ts) at a small size, on a moto_server of its own: 150
 * location-days through the real worker while every kind of fault is injected, then the ground-truth
 * counts: no duplicate entry in QuickBooks, no lost day, no broken refresh chain, every posted day
 * with the generator's figures. A second, smaller campaign runs a deliberately broken worker (no
 * pending entry, no DocNumber lookup, a new requestid per attempt) with crashes after QuickBooks
 * accepted the entry, to show that the duplicate count can fail. `npm run chaos` is the full size.
 * The two campaigns share nothing, so they run at once, the second on a moto_server of its own too.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { startMoto } from "../../sandbox/moto";
import { type CampaignResult, resultsMarkdown, runCampaign } from "../../chaos/campaign";

const SEED = 20260401;
const [moto, brokenMoto] = await Promise.all([startMoto({ lean: true }), startMoto({ lean: true })]);
let result: CampaignResult;
let broken: CampaignResult;

beforeAll(async () => {
  [result, broken] = await Promise.all([
    runCampaign({ motoEndpoint: moto.endpoint, seed: SEED, merchants: 10, locationsPerMerchant: 5, days: 3 }),
    runCampaign({
      motoEndpoint: brokenMoto.endpoint, seed: SEED, merchants: 4, locationsPerMerchant: 2, days: 3, brokenWorker: true, crashRate: 0.6, crashSteps: ["after-create"],
    }),
  ]);
}, 300_000);

afterAll(async () => {
  await Promise.all([moto.stop(), brokenMoto.stop()]);
});

describe("the fault campaign", () => {
  it("ends every one of 150 location-days posted once, adjusted, without sales, held, or failed with a report and an alert", () => {
    const { counts } = result;
    expect(counts.locationDays, resultsMarkdown(result)).toBe(150);
    expect({ duplicates: counts.duplicates, lostDays: counts.lostDays, wrongFigures: counts.wrongFigures, brokenRefreshChains: counts.brokenRefreshChains }, resultsMarkdown(result))
      .toEqual({ duplicates: 0, lostDays: 0, wrongFigures: 0, brokenRefreshChains: 0 });
    expect(result.ok).toBe(true);
    expect(counts.postedExactlyOnce).toBeGreaterThan(100);
    expect(counts.adjusted).toBeGreaterThan(0);
    expect(counts.held).toBeGreaterThan(0);
    expect(counts.failedAndVisible).toBeGreaterThan(0);
    expect(counts.refreshChainsChecked).toBeGreaterThan(6);
  });

  it("posts every Square payout once: none lost, none twice, each location's bank = Σ its payouts", () => {
    const { counts } = result;
    expect({ payoutsLost: counts.payoutsLost, payoutDuplicates: counts.payoutDuplicates, wrongBankBalances: counts.wrongBankBalances }, resultsMarkdown(result))
      .toEqual({ payoutsLost: 0, payoutDuplicates: 0, wrongBankBalances: 0 });
    expect(counts.payouts).toBeGreaterThan(20);
    expect(counts.payoutsSettled).toBe(counts.payouts);
    expect(Object.keys(result.injected).filter((kind) => kind.startsWith("crash payouts")).length, resultsMarkdown(result)).toBeGreaterThan(0);
  });

  it("injected every kind of fault on the way", () => {
    const kinds = [
      "square 429", "square 500", "square 503", "square slow", "square truncated",
      "clover 429", "clover 500", "clover 503", "clover slow", "clover truncated", "clover refresh truncated",
      "quickbooks api 429", "quickbooks api 500", "quickbooks api 503", "quickbooks api slow", "quickbooks api truncated", "quickbooks api 401",
      "quickbooks api drop-after-commit", "quickbooks token 500", "quickbooks token truncated",
      "crash after-fetch", "crash after-claim", "crash after-create", "crash after-record",
      "jobs sent twice", "batches reordered", "messages delivered to two workers at once", "messages delivered again after processing",
      "concurrent refreshes (quickbooks)", "concurrent refreshes (clover)",
      "connections revoked mid-night (QuickBooks)", "connections revoked mid-night (Clover)", "late changes", "approvals",
    ];
    const missing = kinds.filter((kind) => !((result.injected[kind] ?? 0) > 0));
    expect(missing, resultsMarkdown(result)).toEqual([]);
  });

  it("reports duplicates when the worker forgets its exactly-once guards", () => {
    expect(broken.counts.duplicates, resultsMarkdown(broken)).toBeGreaterThan(0);
    expect(broken.ok).toBe(false);
  });
});
