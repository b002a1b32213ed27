import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { integerRangePattern } from "../../src/lib/integer-range";

// The patterns the OpenAPI document shows, held to the rules they state. The document and the
// app's answers are compared in test/routes/parameter-agreement.test.ts; these check the
// builders themselves, on many more values than requests could.

describe("integerRangePattern", () => {
  const matches = (max: number, text: string) =>
    new RegExp(`^(?:${integerRangePattern(max)})$`).test(text);
  const inRange = (max: number, text: string) =>
    /^[1-9][0-9]*$/.test(text) && BigInt(text) <= BigInt(max);
  const maxima = fc.oneof(
    fc.integer({ min: 1, max: 1200 }),
    fc.constantFrom(9, 10, 99, 100, 101, 1000, 1999, 2000, Number.MAX_SAFE_INTEGER),
    fc.maxSafeNat().filter((n) => n >= 1),
  );

  it("matches exactly the numbers from 1 to max, written plainly", () => {
    fc.assert(
      fc.property(
        maxima,
        fc.oneof(fc.stringMatching(/^[0-9]{1,18}$/), fc.string({ maxLength: 4 })),
        (max, text) => {
          expect(matches(max, text), `${text} against 1..${max}`).toBe(inRange(max, text));
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("matches max and 1, and refuses max + 1, 0 and leading zeros", () => {
    fc.assert(
      fc.property(maxima, (max) => {
        expect(matches(max, String(max))).toBe(true);
        expect(matches(max, "1")).toBe(true);
        expect(matches(max, String(BigInt(max) + 1n))).toBe(false);
        expect(matches(max, "0")).toBe(false);
        expect(matches(max, `0${max}`)).toBe(false);
      }),
    );
  });

  it("refuses a maximum below 1", () => {
    expect(integerRangePattern(100)).toBe("[1-9][0-9]{0,1}|100");
    expect(() => integerRangePattern(0)).toThrow(RangeError);
  });
});
