import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { integerRangePattern } from "../../src/lib/integer-range";
import { TEXT_PATTERN, trimmedPattern } from "../../src/lib/text";
import { RFC3339_DATE_TIME, toStoredTime } from "../../src/lib/timestamp";

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

describe("TEXT_PATTERN", () => {
  const invisible = /[\p{Cc}\u2028\u2029\u202A-\u202E\u2066-\u2069]/u;

  it("refuses exactly the control characters, line separators and bidirectional controls", () => {
    // Every code point, with and without the u flag (as JSON Schema validators differ).
    for (const flags of ["", "u"]) {
      const pattern = new RegExp(TEXT_PATTERN, flags);
      for (let code = 0; code <= 0x10ffff; code++) {
        if (code >= 0xd800 && code <= 0xdfff) continue;
        const c = String.fromCodePoint(code);
        if (pattern.test(`a${c}`) === invisible.test(c)) {
          expect.fail(`U+${code.toString(16)} with flags "${flags}"`);
        }
      }
    }
  });

  it("refuses text of whitespace alone, and empty text", () => {
    const pattern = new RegExp(TEXT_PATTERN, "u");
    for (const text of ["", " ", "\u00a0", "\u3000 \ufeff"]) expect(pattern.test(text)).toBe(false);
    for (const text of [" a ", "\u00a0Ada", "李"]) expect(pattern.test(text)).toBe(true);
  });
});

describe("trimmedPattern", () => {
  const core = /^[A-Za-z0-9._-]{2,8}$/;
  const pattern = trimmedPattern(core, 6);
  const whitespace = fc.string({
    unit: fc.constantFrom(" ", "\t", "\n", "\u00a0", "\u2028", "\u3000", "\ufeff", "\u200b"),
    maxLength: 3,
  });

  it("matches what trim then the pattern (and the length) accept", () => {
    fc.assert(
      fc.property(
        fc.tuple(whitespace, fc.stringMatching(/^[A-Za-z0-9._ -]{0,10}$/), whitespace),
        ([before, text, after]) => {
          const value = before + text + after;
          const trimmed = value.trim();
          expect(pattern.test(value), JSON.stringify(value)).toBe(
            core.test(trimmed) && trimmed.length <= 6,
          );
        },
      ),
      { numRuns: 3000 },
    );
  });

  it("needs a pattern anchored at both ends", () => {
    expect(() => trimmedPattern(/[a-z]+/)).toThrow();
    expect(trimmedPattern(/^a$/).source).toBe("^\\s*(?:a)\\s*$");
  });
});

describe("RFC3339_DATE_TIME", () => {
  const pad = (n: number, width = 2) => String(n).padStart(width, "0");
  const dateTime = fc
    .tuple(
      fc.oneof(fc.integer({ min: 0, max: 9999 }), fc.constantFrom(0, 100, 400, 1900, 2000, 2100)),
      fc.integer({ min: 0, max: 13 }),
      fc.integer({ min: 0, max: 32 }),
      fc.integer({ min: 0, max: 25 }),
      fc.integer({ min: 0, max: 61 }),
      fc.integer({ min: 0, max: 61 }),
      fc.constantFrom("", ".5", ".123", ".123456789", ".1234567890"),
      fc.oneof(
        fc.constant("Z"),
        fc
          .tuple(
            fc.constantFrom("+", "-"),
            fc.integer({ min: 0, max: 25 }),
            fc.integer({ min: 0, max: 61 }),
          )
          .map(([sign, h, m]) => `${sign}${pad(h)}:${pad(m)}`),
      ),
    )
    .map(
      ([y, mo, d, h, mi, s, fraction, offset]) =>
        `${pad(y, 4)}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}${fraction}${offset}`,
    );

  it("matches what the app stores, but for a time an offset moves out of years 0000 to 9999", () => {
    fc.assert(
      fc.property(dateTime, (value) => {
        const stored = toStoredTime(value) !== undefined;
        if (RFC3339_DATE_TIME.test(value) && !stored) {
          expect(value, "only at the ends of the years 0000 to 9999").toMatch(
            /^(0000-01-01T.*\+|9999-12-31T.*-)/,
          );
        } else {
          expect(RFC3339_DATE_TIME.test(value), value).toBe(stored);
        }
      }),
      { numRuns: 20_000 },
    );
  });

  it("knows the leap years", () => {
    for (const year of ["0000", "0400", "2000", "2024", "9996"])
      expect(RFC3339_DATE_TIME.test(`${year}-02-29T00:00:00Z`), year).toBe(true);
    for (const year of ["0100", "1900", "2026", "2100", "9999"])
      expect(RFC3339_DATE_TIME.test(`${year}-02-29T00:00:00Z`), year).toBe(false);
  });
});
