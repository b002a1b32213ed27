import { describe, expect, it } from "vitest";
import { decodeCursor, encodeCursor } from "../../src/lib/cursor";
import { toPage } from "../../src/lib/pagination";

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

describe("toPage", () => {
  const rows = [{ id: 1 }, { id: 2 }, { id: 3 }];

  it("gives a cursor of the last row shown when the query found one row more", () => {
    const page = toPage(rows, 2, (r) => [r.id]);
    expect(page.data).toEqual([{ id: 1 }, { id: 2 }]);
    expect(decodeCursor(page.next_cursor ?? "")).toEqual([2]);
  });

  it("gives no cursor on the last page", () => {
    expect(toPage(rows, 3, (r) => [r.id]).next_cursor).toBeNull();
    expect(toPage([], 3, (r: { id: number }) => [r.id])).toEqual({ data: [], next_cursor: null });
  });
});
