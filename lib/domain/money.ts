/**
 * Money is an integer count of a currency's minor unit (cents for USD, yen for JPY, fils for KWD).
 * Amounts are plain `number`s that must stay safe integers; every operation here checks that, so a
 * float or an overflow fails loudly instead of drifting. Conversion to decimals happens only at the
 * edges (QuickBooks, people).
 */

export class MoneyError extends Error {
  override name = "MoneyError";
}

/** ISO 4217 minor-unit exponents that differ from the usual 2. */
const EXPONENT_EXCEPTIONS: Readonly<Record<string, number>> = {
  BIF: 0, CLP: 0, DJF: 0, GNF: 0, ISK: 0, JPY: 0, KMF: 0, KRW: 0, PYG: 0, RWF: 0, UGX: 0, UYI: 0,
  VND: 0, VUV: 0, XAF: 0, XOF: 0, XPF: 0,
  BHD: 3, IQD: 3, JOD: 3, KWD: 3, LYD: 3, OMR: 3, TND: 3,
  CLF: 4, UYW: 4,
};

const CURRENCY_CODE = /^[A-Z]{3}$/;

export function isCurrencyCode(code: string): boolean {
  return CURRENCY_CODE.test(code);
}

/** Number of decimals of the currency's minor unit: USD 2, JPY 0, KWD 3. */
export function currencyExponent(currency: string): number {
  if (!isCurrencyCode(currency)) {
    throw new MoneyError(`"${currency}" is not an ISO 4217 currency code (three capital letters, e.g. USD)`);
  }
  return EXPONENT_EXCEPTIONS[currency] ?? 2;
}

export function assertMinorUnits(value: number, what = "amount"): number {
  if (!Number.isSafeInteger(value)) {
    throw new MoneyError(`${what} must be a whole number of minor units, got ${String(value)}`);
  }
  return value;
}

/** Sum of minor-unit amounts, checked for overflow. */
export function sumMinor(...values: number[]): number {
  let total = 0;
  for (const value of values) total = assertMinorUnits(total + assertMinorUnits(value), "sum");
  return total;
}

export function subtractMinor(a: number, b: number): number {
  return assertMinorUnits(assertMinorUnits(a) - assertMinorUnits(b), "difference");
}

/** "-1234" cents → "-12.34"; JPY "1234" → "1234"; KWD 1234 → "1.234". */
export function formatDecimal(minor: number, currency: string): string {
  assertMinorUnits(minor);
  const exponent = currencyExponent(currency);
  const sign = minor < 0 ? "-" : "";
  const digits = String(Math.abs(minor));
  if (exponent === 0) return sign + digits;
  const padded = digits.padStart(exponent + 1, "0");
  return `${sign}${padded.slice(0, -exponent)}.${padded.slice(-exponent)}`;
}

/**
 * QuickBooks' Amount: a JSON number with at most the currency's decimals. The decimal string is
 * exact, and JavaScript prints the nearest double back as the shortest string that round-trips, so
 * 1234 cents is sent as 12.34 and never as 12.339999.
 */
export function toQuickBooksAmount(minor: number, currency: string): number {
  return Number(formatDecimal(minor, currency));
}

/** Inverse of formatDecimal, for amounts people type: "12.3" → 1230 for USD. */
export function parseDecimal(text: string, currency: string): number {
  const exponent = currencyExponent(currency);
  const match = /^(-)?(\d+)(?:\.(\d+))?$/.exec(text.trim());
  if (!match) throw new MoneyError(`"${text}" is not an amount (use digits and an optional decimal point, e.g. 12.50)`);
  const [, minus, whole = "", fraction = ""] = match;
  if (fraction.length > exponent) {
    throw new MoneyError(`"${text}" has more than ${exponent} decimals, which ${currency} does not allow`);
  }
  const minor = Number(whole + fraction.padEnd(exponent, "0"));
  return assertMinorUnits(minus ? -minor : minor, `"${text}"`);
}
