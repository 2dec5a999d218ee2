/**
 * Gross and discount ex-tax for a Square line whose price includes tax (UK, EU, AU, NZ), as
 * ACCOUNTING.md defines them: net ex-tax = net incl-tax − the line's inclusive tax; the discount ex-tax
 * is the discount × (net ex-tax ÷ net incl-tax), rounded half up; gross ex-tax = net ex-tax + discount
 * ex-tax, so gross − discount = net to the minor unit. A line discounted to nothing (a comp) has no tax
 * to scale by: its gross ex-tax is gross ÷ (1 + its inclusive rates), rounded half up, and its discount
 * equals it.
 *
 * The line's own total decides what net incl-tax is (total − additive tax − apportioned service
 * charge), never gross_sales_money: Square keeps inclusive tax inside gross in Europe and Australia and
 * takes it out in the US, Canada and Japan (api.json, OrderLineItem.gross_sales_money), and the total is
 * the same either way.
 */
import { roundedShare } from "../../domain/apportion";
import { subtractMinor, sumMinor } from "../../domain/money";

export interface InclusiveTaxedLine {
  /** gross_sales_money (gross_return_money for a returned line). */
  gross: number;
  /** total_discount_money: line discounts and the line's share of order discounts, tax-inclusive. */
  discount: number;
  /** total_money. */
  total: number;
  /** total_tax_money: inclusive and additive. */
  tax: number;
  /** total_service_charge_money: apportioned service charges. */
  serviceCharge: number;
  /** The line's applied taxes of type INCLUSIVE, with their tax's percentage ("20", "7.25"). */
  inclusive: readonly { amount: number; percentage: string | null | undefined }[];
}

export interface ExTaxFigures {
  gross: number;
  discount: number;
}

const PERCENTAGE = /^(\d{1,3})(?:\.(\d{1,8}))?$/;

/** Σ percentages as an exact fraction: "20" + "5.5" → 255 / 10 percent; null if one cannot be read. */
function percentSum(percentages: readonly (string | null | undefined)[]): { scaled: number; scale: number } | null {
  let scale = 1;
  let sum = 0;
  for (const text of percentages) {
    const match = PERCENTAGE.exec(text?.trim() ?? "");
    if (!match) return null;
    const decimals = match[2] ?? "";
    const ownScale = 10 ** decimals.length;
    if (ownScale > scale) {
      sum *= ownScale / scale;
      scale = ownScale;
    }
    sum += Number(`${match[1]}${decimals}`) * (scale / ownScale);
  }
  return { scaled: sum, scale };
}

/** The line's gross and discount ex-tax; a line with no inclusive tax keeps Square's figures. */
export function exTaxFigures(line: InclusiveTaxedLine): ExTaxFigures {
  if (line.inclusive.length === 0) return { gross: line.gross, discount: line.discount };
  const inclusiveTax = sumMinor(...line.inclusive.map((tax) => tax.amount));
  const additiveTax = subtractMinor(line.tax, inclusiveTax);
  const netInclusive = subtractMinor(subtractMinor(line.total, additiveTax), line.serviceCharge);
  const netExTax = subtractMinor(netInclusive, inclusiveTax);

  if (netInclusive === 0) {
    if (line.gross === 0) return { gross: 0, discount: line.discount };
    // A comp: valued at its own rate. Without a readable rate, Square's tax-inclusive figures stand.
    const rate = percentSum(line.inclusive.map((tax) => tax.percentage));
    if (!rate) return { gross: line.gross, discount: line.discount };
    const hundred = 100 * rate.scale;
    const grossExTax = roundedShare(line.gross, hundred, hundred + rate.scaled);
    return { gross: grossExTax, discount: grossExTax };
  }
  const discountExTax = line.discount === 0 ? 0 : roundedShare(line.discount, netExTax, netInclusive);
  return { gross: sumMinor(netExTax, discountExTax), discount: discountExTax };
}
