import { describe, expect, it } from "vitest";
import { decodeCursor } from "../../src/lib/cursor";
import { toPage } from "../../src/lib/pagination";

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
