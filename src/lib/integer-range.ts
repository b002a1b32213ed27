/**
 * A regular expression (without anchors) that matches exactly the decimal integers from 1 to
 * `max`, written plainly: no sign, no leading zero, no fraction. JSON Schema has no `maximum`
 * for a string, so the OpenAPI document states the range of a path id or of `?limit=` with
 * this pattern; the validator runs the same one.
 *
 * The numbers with fewer digits than `max`, then, for each digit of `max`, those that share
 * its digits up to there and have a smaller digit in that place; then `max` itself.
 */
export function integerRangePattern(max: number): string {
  if (!Number.isSafeInteger(max) || max < 1) throw new RangeError(`not a positive integer: ${max}`);
  const digits = String(max);
  const length = digits.length;
  const any = (count: number) => (count === 0 ? "" : count === 1 ? "[0-9]" : `[0-9]{${count}}`);
  const parts: string[] = [];
  if (length > 1) parts.push(length === 2 ? "[1-9]" : `[1-9][0-9]{0,${length - 2}}`);
  for (let i = 0; i < length; i++) {
    const low = i === 0 ? 1 : 0;
    const high = Number(digits[i]) - 1;
    if (high < low) continue;
    const digit = low === high ? String(low) : `[${low}-${high}]`;
    parts.push(`${digits.slice(0, i)}${digit}${any(length - i - 1)}`);
  }
  parts.push(digits);
  return parts.join("|");
}
