import { describe, expect, it } from "vitest";
import { entityTags } from "../src/http/preconditions";

describe("entityTags", () => {
  it.each([
    ['"1"', ['"1"']],
    ['"1", "2"', ['"1"', '"2"']],
    ['"a,b"', ['"a,b"']],
    ['"1",', ['"1"']],
    ['"1", , "2"', ['"1"', '"2"']],
    ['W/"1"', ['W/"1"']],
    ["", []],
  ])("reads %s", (header, tags) => {
    expect(entityTags(header)).toEqual(tags);
  });

  it.each(["1", '"1"junk', 'w/"1"', '"1" "2"', '"unclosed', '"in"side"'])("refuses %s", (header) => {
    expect(entityTags(header)).toBeUndefined();
  });

  it("reads long headers of many elements, empty ones included", () => {
    expect(entityTags(`"1"${", ".repeat(50_000)}x`)).toBeUndefined();
    expect(entityTags('"1",'.repeat(20_000))).toHaveLength(20_000);
  });
});
