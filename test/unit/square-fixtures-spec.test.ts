/** Every Square body daybook is tested on has the shape Square's official OpenAPI spec gives it. */
import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { generateDay } from "../../sandbox/square/generate-day";
import { readFixture } from "../support/fixtures";
import { squareSpecProblems } from "../support/square-spec";

const scenarioFiles = readdirSync(new URL("../fixtures/square/scenarios/", import.meta.url)).map((file) => `square/scenarios/${file}`);
const orderFiles = [...scenarioFiles, "square/worked-example/orders.json"];

describe("Square fixtures against api.json", () => {
  it.each(orderFiles)("%s is a valid SearchOrdersResponse", (file) => {
    expect(squareSpecProblems("SearchOrdersResponse", readFixture(file))).toEqual([]);
  });

  it("the catalog, payments and refunds fixtures are valid", () => {
    expect(squareSpecProblems("BatchRetrieveCatalogObjectsResponse", readFixture("square/catalog.json"))).toEqual([]);
    expect(squareSpecProblems("ListPaymentsResponse", readFixture("square/worked-example/payments.json"))).toEqual([]);
    expect(squareSpecProblems("ListPaymentRefundsResponse", readFixture("square/worked-example/refunds.json"))).toEqual([]);
  });

  it("generated days are valid too, in every currency, with taxes on top and inside prices", () => {
    const days = [[1, "USD", "US"], [2, "JPY", "US"], [3, "KWD", "US"], [4, "USD", "US"], [5, "GBP", "GB"], [6, "AUD", "AU"]] as const;
    for (const [seed, currency, taxRegime] of days) {
      const day = generateDay({ seed, currency, taxRegime, sales: 60, date: "2025-06-14", timeZone: "America/New_York", returnRate: 0.3, noiseRate: 0.5, openRate: 0.2 });
      expect(squareSpecProblems("SearchOrdersResponse", { orders: day.orders })).toEqual([]);
      expect(squareSpecProblems("BatchRetrieveCatalogObjectsResponse", day.catalog)).toEqual([]);
    }
  });
});
