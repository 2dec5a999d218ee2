/**
 * A Clover merchant-night in one read (lib/pos/night.ts says what it makes complete and what it only
 * checks): the orders modified since the night's day began, each complete with its payments, refunds
 * and credits, read once; the inventory's categories once for the run, read while the orders are.
 */
import type { LocationConfig } from "../../model";
import { allInOrder, completeFromChanges, each, fieldOf, finishNight, type NightPlan, type NightRead, NightTouches } from "../night";
import { readCloverCategories, summariseCloverLocationDay } from "./day";
import type { CloverReader } from "./reader";
import { CloverDaySummariser } from "./summarise";

export async function readCloverNight(reader: CloverReader, location: Pick<LocationConfig, "currency">, plan: NightPlan): Promise<NightRead> {
  // The inventory and the orders are independent reads, made at once; an orders page waits for the
  // categories only to be summarised (one page at a time: the next is not asked for meanwhile).
  const categoriesRead = readCloverCategories(reader);
  let summarisers: Map<string, CloverDaySummariser> | undefined;
  const summarisersOf = async () => {
    const categories = await categoriesRead;
    return (summarisers ??= new Map(completeFromChanges(plan).map((day) =>
      [day.businessDay, new CloverDaySummariser({ window: day.window, currency: location.currency, categories })])));
  };
  const touches = new NightTouches(plan);
  const newest = plan.days.at(-1);
  await allInOrder([
    async () => {
      await categoriesRead;
    },
    async () => {
      for await (const page of reader.orderPages({ startMs: plan.changesSince, endMs: newest?.window.endMs ?? plan.changesSince })) {
        for (const summariser of (await summarisersOf()).values()) summariser.addOrdersPage(page);
        // Every instant an order can count at (summarise.ts): each payment, refund and credit, counted or
        // not, and each exchange, which happens when its replacement line is made (line-values.ts). Other
        // lines' times are left out: an order opened before midnight and paid after it counts in the later
        // day only, and touching the earlier day would re-read it in full every night.
        for (const order of each(page, "elements")) {
          for (const field of ["payments", "refunds", "credits"]) {
            for (const element of each(fieldOf(order, field), "elements")) touches.touchAt(fieldOf(element, "createdTime"));
          }
          for (const line of exchangeReplacements(each(fieldOf(order, "lineItems"), "elements"))) touches.touchAt(fieldOf(line, "createdTime"));
        }
      }
    },
  ]);
  const categories = await categoriesRead;
  const fromChanges = new Map([...(await summarisersOf())].map(([day, summariser]) => [day, () => summariser.finish()]));
  return finishNight(plan, fromChanges, touches, (day) => summariseCloverLocationDay(reader, location, day.window, categories));
}

const NO_LINES: readonly unknown[] = [];

/** The lines that replaced an exchanged line; every line when one names a replacement the order does not hold. */
function exchangeReplacements(lines: unknown[]): readonly unknown[] {
  // Most orders have no exchange: no index of their lines is made.
  if (!lines.some((line) => fieldOf(line, "exchanged") === true)) return NO_LINES;
  const byId = new Map(lines.map((line) => [fieldOf(line, "id"), line]));
  const replacements: unknown[] = [];
  for (const line of lines) {
    if (fieldOf(line, "exchanged") !== true) continue;
    const replacement = byId.get(fieldOf(fieldOf(line, "exchangedLineItem"), "id"));
    if (replacement === undefined) return lines;
    replacements.push(replacement);
  }
  return replacements;
}
