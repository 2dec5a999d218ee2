/**
 * The history page's chart of one location's daily net sales (bars) and fees (a line with a dot per
 * day), drawn as inline SVG: no script, no style attribute (the CSP forbids both), only presentation
 * attributes. `historyChart` is pure arithmetic (tested on its own); `HistoryChart` draws its result.
 *
 * The days sit side by side in business-day order, oldest on the left; days without a record leave no
 * gap. The vertical scale always includes zero, so a negative day (more returned than sold) is a bar
 * below the zero line.
 */
import { currencyExponent, sumMinor } from "../../domain/money";
import { formatAmount, formatDay, formatMoney, formatShortDay } from "../../report/format";

export interface ChartDay {
  /** YYYY-MM-DD */
  businessDay: string;
  /** Minor units of the chart's currency. */
  netSales: number;
  fees: number;
}

export interface ChartInput {
  locationName: string;
  currency: string;
  /** Any order; the chart sorts them oldest first. */
  days: ChartDay[];
  /** Why the location has no fees to draw (Clover reports none: "not reported by Clover"); then no fee line is drawn, rather than one at zero. */
  noFees?: string;
}

export interface ChartBar {
  businessDay: string;
  x: number;
  y: number;
  width: number;
  height: number;
  negative: boolean;
}

export interface ChartTick {
  value: number;
  label: string;
  y: number;
}

export interface ChartModel {
  width: number;
  height: number;
  title: string;
  ariaLabel: string;
  plot: { left: number; right: number; top: number; bottom: number };
  /** Where zero is on the vertical axis. */
  zeroY: number;
  bars: ChartBar[];
  /** One point per day, at the middle of its bar slot; none when the location's fees are not reported. */
  feePoints: { x: number; y: number }[];
  /** Said in the legend instead of the fee line, when there is none. */
  noFees: string | undefined;
  yTicks: ChartTick[];
  xLabels: { text: string; x: number; anchor: "start" | "middle" | "end" }[];
  xAxisLabel: string;
  yAxisLabel: string;
}

export const CHART_WIDTH = 520;
export const CHART_HEIGHT = 280;
const PLOT = { left: 84, right: CHART_WIDTH - 10, top: 34, bottom: CHART_HEIGHT - 48 };

/** Coordinates with two decimals: enough for a screen, and stable text for tests. */
const round = (value: number) => Math.round(value * 100) / 100;

/** 1, 2 or 5 times a power of ten, at least `rough` and at least one whole unit of the currency's minor unit. */
export function niceStep(rough: number): number {
  if (!(rough > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(rough));
  for (const factor of [1, 2, 5, 10]) if (factor * power >= rough) return Math.max(1, factor * power);
  return Math.max(1, 10 * power);
}

export function historyChart(input: ChartInput): ChartModel {
  const { currency } = input;
  const days = [...input.days].sort((a, b) => (a.businessDay < b.businessDay ? -1 : a.businessDay > b.businessDay ? 1 : 0));
  const money = (minor: number) => formatMoney(minor, currency);
  const { noFees } = input;
  const what = noFees === undefined ? "Daily net sales and fees" : "Daily net sales";
  const title = `${what}, ${input.locationName}`;

  const first = days[0];
  const last = days.at(-1);
  let ariaLabel: string;
  if (!first || !last) {
    ariaLabel = `${what} for ${input.locationName}: no synced days to show.`;
  } else {
    const range = days.length === 1 ? `on ${formatDay(first.businessDay)}` : `from ${formatDay(first.businessDay)} to ${formatDay(last.businessDay)} (${String(days.length)} days)`;
    const sales = `net sales ${money(sumMinor(...days.map((day) => day.netSales)))}`;
    const totals = noFees === undefined ? `${sales}, fees ${money(sumMinor(...days.map((day) => day.fees)))}` : `${sales}; fees ${noFees}`;
    ariaLabel = `${what} for ${input.locationName} ${range}: ${days.length === 1 ? "" : "in total "}${totals}.`;
  }

  // The scale: zero always in range; a round step of about a quarter of the range (at least one major unit).
  const values = days.flatMap((day) => (noFees === undefined ? [day.netSales, day.fees] : [day.netSales]));
  const low = Math.min(0, ...values);
  const high = Math.max(0, ...values);
  const majorUnit = 10 ** currencyExponent(currency);
  const step = Math.max(niceStep((high - low) / 4), majorUnit);
  const domainLow = Math.floor(low / step) * step;
  const domainHigh = Math.max(Math.ceil(high / step) * step, domainLow + step);
  const plotHeight = PLOT.bottom - PLOT.top;
  const yOf = (value: number) => round(PLOT.top + ((domainHigh - value) / (domainHigh - domainLow)) * plotHeight);

  const yTicks: ChartTick[] = [];
  for (let value = domainLow; value <= domainHigh; value += step) yTicks.push({ value, label: formatAmount(value, currency), y: yOf(value) });

  const slot = days.length > 0 ? (PLOT.right - PLOT.left) / days.length : 0;
  const barWidth = round(Math.max(1, Math.min(slot * 0.7, 48)));
  const zeroY = yOf(0);
  const bars: ChartBar[] = days.map((day, index) => {
    const top = yOf(Math.max(day.netSales, 0));
    const bottom = yOf(Math.min(day.netSales, 0));
    return {
      businessDay: day.businessDay,
      x: round(PLOT.left + index * slot + (slot - barWidth) / 2),
      y: top,
      width: barWidth,
      height: round(bottom - top),
      negative: day.netSales < 0,
    };
  });
  const feePoints = noFees === undefined ? days.map((day, index) => ({ x: round(PLOT.left + (index + 0.5) * slot), y: yOf(day.fees) })) : [];

  const xLabels: ChartModel["xLabels"] = [];
  if (first && last) {
    if (days.length === 1) xLabels.push({ text: formatShortDay(first.businessDay), x: round(PLOT.left + slot / 2), anchor: "middle" });
    else xLabels.push({ text: formatShortDay(first.businessDay), x: PLOT.left, anchor: "start" }, { text: formatShortDay(last.businessDay), x: PLOT.right, anchor: "end" });
  }

  return {
    width: CHART_WIDTH, height: CHART_HEIGHT, title, ariaLabel, plot: { ...PLOT }, zeroY, bars, feePoints, noFees, yTicks, xLabels,
    xAxisLabel: "Business day", yAxisLabel: `Amount (${currency})`,
  };
}

const SALES_COLOUR = "#2f6690";
const NEGATIVE_COLOUR = "#a40000";
const FEES_COLOUR = "#d1600f";
const AXIS_COLOUR = "#555555";

/** The chart under a caption naming its location, which the picture alone does not show. */
export function HistoryChart(props: { chart: ChartModel }) {
  const { chart } = props;
  const { plot } = chart;
  return (
    <figure>
      <figcaption>{chart.title}</figcaption>
      <svg xmlns="http://www.w3.org/2000/svg" role="img" aria-label={chart.ariaLabel} viewBox={`0 0 ${String(chart.width)} ${String(chart.height)}`} width="100%" class="chart">
        <title>{chart.title}</title>
        <g font-family="system-ui, sans-serif" font-size="13" fill="#1b1b1b">
          {/* Legend */}
          <rect x={plot.left} y="8" width="12" height="12" fill={SALES_COLOUR} />
          <text x={plot.left + 18} y="19">Net sales</text>
          {chart.noFees === undefined
            ? (
              <>
                <line x1={plot.left + 100} y1="14" x2={plot.left + 124} y2="14" stroke={FEES_COLOUR} stroke-width="2" />
                <circle cx={plot.left + 112} cy="14" r="3" fill={FEES_COLOUR} />
                <text x={plot.left + 130} y="19">Fees</text>
              </>
            )
            : <text x={plot.left + 100} y="19">{`Fees: ${chart.noFees}`}</text>}
  
          {/* Grid and the vertical axis's labels */}
          {chart.yTicks.map((tick) => (
            <>
              <line x1={plot.left} y1={tick.y} x2={plot.right} y2={tick.y} stroke="#e3e3e3" stroke-width="1" />
              <text x={plot.left - 6} y={tick.y + 4} text-anchor="end">{tick.label}</text>
            </>
          ))}
          <text x="14" y={(plot.top + plot.bottom) / 2} text-anchor="middle" transform={`rotate(-90 14 ${String((plot.top + plot.bottom) / 2)})`}>{chart.yAxisLabel}</text>
  
          {chart.bars.map((bar) => <rect x={bar.x} y={bar.y} width={bar.width} height={bar.height} fill={bar.negative ? NEGATIVE_COLOUR : SALES_COLOUR} />)}
          <line x1={plot.left} y1={chart.zeroY} x2={plot.right} y2={chart.zeroY} stroke={AXIS_COLOUR} stroke-width="1" />
          <line x1={plot.left} y1={plot.top} x2={plot.left} y2={plot.bottom} stroke={AXIS_COLOUR} stroke-width="1" />
          {chart.feePoints.length > 1 && (
            <polyline points={chart.feePoints.map((point) => `${String(point.x)},${String(point.y)}`).join(" ")} fill="none" stroke={FEES_COLOUR} stroke-width="2" />
          )}
          {chart.feePoints.map((point) => <circle cx={point.x} cy={point.y} r="3" fill={FEES_COLOUR} />)}
  
          {/* The horizontal axis: first and last day */}
          {chart.xLabels.map((label) => <text x={label.x} y={plot.bottom + 18} text-anchor={label.anchor}>{label.text}</text>)}
          <text x={(plot.left + plot.right) / 2} y={chart.height - 6} text-anchor="middle">{chart.xAxisLabel}</text>
        </g>
      </svg>
    </figure>
  );
}
