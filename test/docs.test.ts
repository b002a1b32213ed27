import { expect, it } from "vitest";
import apiDoc from "../docs/api.md?raw";
import { PROBLEMS } from "../src/http/problem";

it("docs/api.md lists every error code with its status, and no other", () => {
  const documented = [...apiDoc.matchAll(/^\| `(\w+)` \| (\d{3}) \|/gm)].map((m) => [m[1], Number(m[2])]);
  const actual = Object.entries(PROBLEMS).map(([code, { status }]) => [code, status]);
  expect(Object.fromEntries(documented)).toEqual(Object.fromEntries(actual));
});
