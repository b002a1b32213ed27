import { describe, expect, it } from "vitest";
import * as z from "zod/mini";
import { course } from "../../src/courses/responses";
import { entityTags, SHAPE_REVISION } from "../../src/http/preconditions";
import { sha256, toHex } from "../../src/lib/digest";
import { student } from "../../src/students/responses";

// The JSON shapes of a student and a course at each SHAPE_REVISION, as a SHA-256 of their
// JSON Schema. When a shape changes, bump SHAPE_REVISION (so that ETags of the old shape stop
// matching) and add the new digest here.
const SHAPES: Record<number, string> = {
  1: "7a499be4d673b74ffd1a9041ba17b888dfb5d90b49e196c3dde371da1893541c",
  2: "527b8628d1831f0895d85277ba9baa146a463dfdd71b633d194f922b00d4ff7d",
  3: "2ab33b50767f577544f4bbc9815e832d01bd6ad944eef176b51626d66f3cce79",
};

it("SHAPE_REVISION moves on whenever the JSON shape of a student or course changes", async () => {
  const schemas = [student, course].map((shape) => z.toJSONSchema(shape, { io: "output" }));
  const digest = toHex(await sha256(JSON.stringify(schemas)));
  expect(
    digest,
    "a shape changed: bump SHAPE_REVISION in src/http/preconditions.ts and add this digest to SHAPES",
  ).toBe(SHAPES[SHAPE_REVISION]);
});

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

  it.each(["1", '"1"junk', 'w/"1"', '"1" "2"', '"unclosed', '"in"side"'])(
    "refuses %s",
    (header) => {
      expect(entityTags(header)).toBeUndefined();
    },
  );

  it("reads long headers of many elements, empty ones included", () => {
    expect(entityTags(`"1"${", ".repeat(50_000)}x`)).toBeUndefined();
    expect(entityTags('"1",'.repeat(20_000))).toHaveLength(20_000);
  });
});
