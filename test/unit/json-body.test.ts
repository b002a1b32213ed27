import { describe, expect, it } from "vitest";
import { structuralFlaw } from "../../src/http/json-body";

describe("structuralFlaw", () => {
  it.each([
    ['{"a":1,"b":{"a":2},"c":[{"a":1},{"a":2}]}', "the same key in different objects"],
    ['{"name":"{[\\"}]\\\\","x":"\\"a\\":"}', "braces, quotes and backslashes inside strings"],
    [`${"[".repeat(16)}${"]".repeat(16)}`, "exactly 16 levels"],
    ['"just a string"', "a bare string"],
  ])("passes %s (%s)", (json) => {
    JSON.parse(json);
    expect(structuralFlaw(json)).toBeUndefined();
  });

  it.each([
    ['{"a":1,"a":2}', { path: "body.a", message: "appears more than once" }],
    ['{"a":1,"\\u0061":2}', { path: "body.a", message: "appears more than once" }],
    ['{"x":[{"k":1,"k":1}]}', { path: "body.k", message: "appears more than once" }],
    [
      `${"[".repeat(17)}${"]".repeat(17)}`,
      { path: "body", message: "must not nest deeper than 16 levels" },
    ],
  ])("flags %s", (json, flaw) => {
    JSON.parse(json);
    expect(structuralFlaw(json)).toEqual(flaw);
  });
});
