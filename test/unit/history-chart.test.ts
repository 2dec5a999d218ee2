import { describe, expect, it } from "vitest";
import { CHART_HEIGHT, historyChart, HistoryChart, niceStep } from "../../lib/web/pages/history-chart";

const days = [
  { businessDay: "2025-05-03", netSales: 30_000, fees: 900 },
  { businessDay: "2025-05-01", netSales: 10_000, fees: 300 },
  { businessDay: "2025-05-02", netSales: 20_050, fees: 601 },
];

describe("the history chart", () => {
  it("states the range and the totals in its label, oldest day on the left", () => {
    const chart = historyChart({ locationName: "Main Street", currency: "USD", days });
    expect(chart.ariaLabel).toBe("Daily net sales and fees for Main Street from Thursday 1 May 2025 to Saturday 3 May 2025 (3 days): in total net sales 600.50 USD, fees 18.01 USD.");
    expect(chart.bars.map((bar) => bar.businessDay)).toEqual(["2025-05-01", "2025-05-02", "2025-05-03"]);
    // Days in words, as everywhere else.
    expect(chart.xLabels.map((label) => label.text)).toEqual(["Thu 1 May", "Sat 3 May"]);
    const xs = chart.bars.map((bar) => bar.x);
    expect(xs).toEqual([...xs].sort((a, b) => a - b));
  });

  it("scales bars in proportion, from a zero line at the bottom when nothing is negative, with round ticks", () => {
    const chart = historyChart({ locationName: "Main Street", currency: "USD", days });
    const [first, , third] = chart.bars;
    expect(chart.zeroY).toBe(chart.plot.bottom);
    expect(first!.y + first!.height).toBeCloseTo(chart.zeroY, 5);
    expect(third!.height / first!.height).toBeCloseTo(3, 2);
    // The top tick is at or above the tallest bar, and every tick is a round number of dollars.
    expect(chart.yTicks.at(-1)!.value).toBeGreaterThanOrEqual(30_000);
    expect(chart.yTicks.at(-1)!.y).toBeLessThanOrEqual(third!.y);
    for (const tick of chart.yTicks) expect(tick.value % 100).toBe(0);
    expect(chart.yTicks.map((tick) => tick.label)).toContain("0.00");
    // Fees sit on the same scale: 900 of 30000 is three percent of the bar's height above zero.
    expect(chart.zeroY - chart.feePoints[2]!.y).toBeCloseTo(third!.height * 0.03, 1);
  });

  it("draws a negative day below the zero line", () => {
    const chart = historyChart({ locationName: "Pier", currency: "USD", days: [{ businessDay: "2025-05-01", netSales: 5_000, fees: 100 }, { businessDay: "2025-05-02", netSales: -2_500, fees: -20 }] });
    const [positive, negative] = chart.bars;
    expect(chart.zeroY).toBeLessThan(chart.plot.bottom);
    expect(chart.zeroY).toBeGreaterThan(chart.plot.top);
    expect(positive!.negative).toBe(false);
    expect(positive!.y + positive!.height).toBeCloseTo(chart.zeroY, 5);
    expect(negative!.negative).toBe(true);
    expect(negative!.y).toBeCloseTo(chart.zeroY, 5);
    expect(negative!.height / positive!.height).toBeCloseTo(0.5, 2);
    expect(chart.feePoints[1]!.y).toBeGreaterThan(chart.zeroY);
    expect(chart.yTicks[0]!.value).toBeLessThanOrEqual(-2_500);
    expect(chart.ariaLabel).toContain("in total net sales 25.00 USD, fees 0.80 USD");
  });

  it("shows one day as one bar in the middle, labelled with its day", () => {
    const chart = historyChart({ locationName: "Kiosk", currency: "JPY", days: [{ businessDay: "2025-05-09", netSales: 12_345, fees: 0 }] });
    expect(chart.ariaLabel).toBe("Daily net sales and fees for Kiosk on Friday 9 May 2025: net sales 12,345 JPY, fees 0 JPY.");
    expect(chart.bars).toHaveLength(1);
    expect(chart.bars[0]!.x + chart.bars[0]!.width / 2).toBeCloseTo((chart.plot.left + chart.plot.right) / 2, 1);
    expect(chart.xLabels).toEqual([{ text: "Fri 9 May", x: (chart.plot.left + chart.plot.right) / 2, anchor: "middle" }]);
    expect(chart.yAxisLabel).toBe("Amount (JPY)");
  });

  it("has a label and an axis even with no days, or only zero days", () => {
    const none = historyChart({ locationName: "New Shop", currency: "USD", days: [] });
    expect(none.ariaLabel).toBe("Daily net sales and fees for New Shop: no synced days to show.");
    expect(none.bars).toEqual([]);
    expect(none.xLabels).toEqual([]);
    expect(none.zeroY).toBe(none.plot.bottom);
    const zero = historyChart({ locationName: "Quiet", currency: "USD", days: [{ businessDay: "2025-05-01", netSales: 0, fees: 0 }] });
    expect(zero.bars[0]!.height).toBe(0);
    expect(zero.yTicks.map((tick) => tick.label)).toEqual(["0.00", "1.00"]);
  });

  it("labels its scale with thousands separators, as the table beside it writes amounts", () => {
    const chart = historyChart({ locationName: "Main Street", currency: "USD", days: [{ businessDay: "2025-05-01", netSales: 238_777, fees: 6_742 }] });
    expect(chart.yTicks.map((tick) => tick.label)).toEqual(["0.00", "1,000.00", "2,000.00", "3,000.00"]);
  });

  it("draws no fee line for a location whose POS reports no fees, and says so, rather than a line at zero", async () => {
    const chart = historyChart({ locationName: "Harbor Kiosk", currency: "USD", days: days.map((day) => ({ ...day, fees: 0 })), noFees: "not reported by Clover" });
    expect(chart.feePoints).toEqual([]);
    expect(chart.title).toBe("Daily net sales, Harbor Kiosk");
    expect(chart.ariaLabel).toBe("Daily net sales for Harbor Kiosk from Thursday 1 May 2025 to Saturday 3 May 2025 (3 days): in total net sales 600.50 USD; fees not reported by Clover.");
    const html = (await Promise.resolve(HistoryChart({ chart }))).toString();
    expect(html).not.toContain("<polyline");
    expect(html).not.toContain("<circle");
    expect(html).toContain("Fees: not reported by Clover");
  });

  it("picks steps of 1, 2 or 5 times a power of ten", () => {
    expect([niceStep(0), niceStep(1), niceStep(3), niceStep(7), niceStep(12), niceStep(4_100), niceStep(75_000)]).toEqual([1, 1, 5, 10, 20, 5_000, 100_000]);
  });

  it("renders as an image with a title, axis labels and presentation attributes only", async () => {
    // A Hono JSX element is a string with the rendered HTML (hono/jsx renders synchronously here).
    const html = await Promise.resolve(HistoryChart({ chart: historyChart({ locationName: "Main <Street>", currency: "USD", days }) })).then((element) => element.toString());
    // The location is named where a person sees it, not only in the picture's tooltip.
    expect(html).toMatch(/^<figure><figcaption>Daily net sales and fees, Main &lt;Street&gt;<\/figcaption><svg [^>]*role="img"/);
    expect(html).toContain('aria-label="Daily net sales and fees for Main &lt;Street&gt; from Thursday 1 May 2025');
    expect(html).toContain("<title>Daily net sales and fees, Main &lt;Street&gt;</title>");
    expect(html).toContain("Business day");
    expect(html).toContain("Amount (USD)");
    expect(html).toContain(`viewBox="0 0 520 ${String(CHART_HEIGHT)}"`);
    expect(html).toContain('text-anchor="end"');
    expect(html).toContain("<polyline");
    expect(html).not.toMatch(/style=|<script|\son[a-z]+=/i);
    expect(html.match(/<rect /g)).toHaveLength(1 + days.length);
  });
});
