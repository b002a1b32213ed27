import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "../../src/lib/cursor";

describe("cursors", () => {
  it("round-trip a sort key through a URL-safe string", () => {
    const key = ["2026-11-22T10:00:00.000Z", 9007199254740991, 7];
    const cursor = encodeCursor(key);
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(decodeCursor(cursor)).toEqual(key);
  });

  it.each(["", "!!!", "e30", "bnVsbA", "x".repeat(201)])("reject %j", (cursor) => {
    expect(decodeCursor(cursor)).toBeUndefined();
  });
});
