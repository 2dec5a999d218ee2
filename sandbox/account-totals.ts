/**
 * Expected net per QuickBooks account (debits − credits, minor units) for a daily summary under a
 * mapping, written independently of the journal-entry builder: nets do not care which side a line
 * was flipped to, so this is just "where does each figure go, with which sign".
 */
import { type Mapping, nonRevenueAccount } from "../lib/domain/mapping";
import type { DailySummary } from "../lib/domain/summary";

export function expectedAccountNets(summary: DailySummary, mapping: Mapping): Record<string, number> {
  const nets: Record<string, number> = {};
  const post = (account: string, debitMinusCredit: number) => {
    nets[account] = (nets[account] ?? 0) + debitMinusCredit;
  };
  const d = mapping.defaults;
  const tenderAccount = (tender: string) => mapping.tenders?.[tender] ?? (tender === "SQUARE_GIFT_CARD" ? d.giftCards : d.tenders);
  for (const [category, amount] of Object.entries(summary.sales)) post(mapping.categories?.[category] ?? d.sales, -amount);
  for (const [category, amount] of Object.entries(summary.returns)) {
    post(mapping.returnsToCategoryAccounts ? (mapping.categories?.[category] ?? d.sales) : d.returns, amount);
  }
  post(d.discounts, summary.discounts);
  for (const [name, amount] of Object.entries(summary.serviceCharges)) post(mapping.serviceCharges?.[name] ?? d.serviceCharges, -amount);
  for (const [name, amount] of Object.entries(summary.autoGratuities)) post(mapping.serviceCharges?.[name] ?? d.tips, -amount);
  for (const [name, amount] of Object.entries(summary.tax)) post(mapping.taxes?.[name] ?? d.tax, -amount);
  post(d.tips, -summary.tips);
  post(d.giftCards, -summary.giftCardSales);
  for (const [item, amount] of Object.entries(summary.nonRevenue)) post(nonRevenueAccount(mapping, item), -amount);
  for (const [tender, amount] of Object.entries(summary.payments)) post(tenderAccount(tender), amount);
  for (const [tender, amount] of Object.entries(summary.refunds)) post(tenderAccount(tender), -amount);
  // Cash back leaves the drawer: the cash tender's account.
  post(mapping.tenders?.Cash ?? mapping.tenders?.CASH ?? d.tenders, -summary.cashBack);
  post(d.fees, summary.fees);
  post(tenderAccount("CARD"), -summary.fees);
  post(d.rounding, -summary.rounding);
  return Object.fromEntries(Object.entries(nets).filter(([, net]) => net !== 0).sort(([a], [b]) => a.localeCompare(b)));
}
