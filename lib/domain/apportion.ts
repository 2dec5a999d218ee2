/**
 * Exact integer arithmetic for splitting money: a rounded share, and a split of a total in
 * proportion to weights that always adds back up to the total. BigInt inside, so products of two
 * large amounts never lose a unit.
 */

/**
 * Below this, sums and products of integers are exact in doubles (2^53 with room for one more
 * addition), so the common case (a cent amount times a percentage) needs no BigInt: a line of a busy
 * day is split a few times, and BigInt arithmetic allocates at every step.
 */
const EXACT = 2 ** 51;

/** ⌊a ÷ b⌋ for integers with |a|, |b| < EXACT, b > 0, exactly (a double's quotient corrected to the integer). */
function floorDivide(a: number, b: number): number {
  let q = Math.floor(a / b);
  let r = a - q * b;
  while (r < 0) { q -= 1; r += b; }
  while (r >= b) { q += 1; r -= b; }
  return q === 0 ? 0 : q;
}

/** amount × part / whole, rounded to the nearest integer, halves away from zero (Clover's HALF_UP). */
export function roundedShare(amount: number, part: number, whole: number): number {
  if (whole === 0) throw new RangeError("a share of a zero whole");
  if (Number.isSafeInteger(amount) && Number.isSafeInteger(part) && Number.isSafeInteger(whole)) {
    const product = amount * part;
    if (Math.abs(product) < EXACT && Math.abs(whole) < EXACT / 4) {
      const n = whole < 0 ? -product : product;
      const d = Math.abs(whole);
      const magnitude = floorDivide(Math.abs(n) * 2 + d, 2 * d);
      return n < 0 ? 0 - magnitude : magnitude;
    }
  }
  let n = BigInt(amount) * BigInt(part);
  let d = BigInt(whole);
  if (d < 0n) {
    n = -n;
    d = -d;
  }
  const magnitude = ((n < 0n ? -n : n) * 2n + d) / (2n * d);
  return Number(n < 0n ? -magnitude : magnitude);
}

/**
 * Splits `total` in proportion to `weights` (largest-remainder method): every part gets the floor of
 * its exact quota, and the units left over go one each to the parts with the largest remainders, the
 * earlier part first on a tie. The parts add up to `total` exactly. Weights may be signed as long as
 * they do not sum to zero; with a zero sum there is nothing to split in proportion to, and every part
 * is 0.
 */
export function largestRemainder(total: number, weights: readonly number[]): number[] {
  return smallLargestRemainder(total, weights) ?? bigLargestRemainder(total, weights);
}

/** The same in doubles, where every product and sum is exact in them; undefined where one might not be. */
function smallLargestRemainder(total: number, weights: readonly number[]): number[] | undefined {
  if (!Number.isSafeInteger(total)) return undefined;
  let sum = 0;
  let largest = 0;
  for (const weight of weights) {
    if (!Number.isSafeInteger(weight)) return undefined;
    sum += weight;
    largest = Math.max(largest, Math.abs(weight));
  }
  const limit = Math.abs(total) * Math.max(largest, Math.abs(sum));
  if (!(limit < EXACT) || !(Math.abs(sum) < EXACT) || weights.length * largest >= EXACT) return undefined;
  const shares = new Array<number>(weights.length);
  if (sum === 0) return shares.fill(0);
  const sign = sum < 0 ? -1 : 1;
  sum *= sign;
  const remainders = new Array<number>(weights.length);
  let left = total;
  for (let i = 0; i < weights.length; i++) {
    const product = total * (weights[i] as number) * sign;
    const share = floorDivide(product, sum);
    shares[i] = share;
    remainders[i] = product - share * sum;
    left -= share;
  }
  // Fewer units are left than there are parts: each goes to the largest remainder not yet served, the earlier on a tie.
  for (; left > 0; left--) {
    let best = -1;
    for (let i = 0; i < remainders.length; i++) {
      if ((remainders[i] as number) >= 0 && (best === -1 || (remainders[i] as number) > (remainders[best] as number))) best = i;
    }
    if (best === -1) break;
    shares[best] = (shares[best] as number) + 1;
    remainders[best] = -1;
  }
  return shares;
}

function bigLargestRemainder(total: number, weights: readonly number[]): number[] {
  let sum = weights.reduce((a, w) => a + BigInt(w), 0n);
  if (sum === 0n) return weights.map(() => 0);
  const sign = sum < 0n ? -1n : 1n;
  sum *= sign;
  const parts = weights.map((weight, index) => {
    const product = BigInt(total) * BigInt(weight) * sign;
    let floor = product / sum;
    if (product % sum !== 0n && product < 0n) floor -= 1n;
    return { index, share: floor, remainder: product - floor * sum };
  });
  let left = BigInt(total) - parts.reduce((a, p) => a + p.share, 0n);
  const byRemainder = [...parts].sort((a, b) => (a.remainder === b.remainder ? a.index - b.index : a.remainder > b.remainder ? -1 : 1));
  for (const part of byRemainder) {
    if (left === 0n) break;
    part.share += 1n;
    left -= 1n;
  }
  return parts.map((p) => Number(p.share));
}
