/**
 * Exact integer arithmetic for splitting money: a rounded share, and a split of a total in
 * proportion to weights that always adds back up to the total. BigInt inside, so products of two
 * large amounts never lose a unit.
 */

/** amount × part / whole, rounded to the nearest integer, halves away from zero (Clover's HALF_UP). */
export function roundedShare(amount: number, part: number, whole: number): number {
  if (whole === 0) throw new RangeError("a share of a zero whole");
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
