// The local settings of .dev.vars.example, for `npm run dev` and the scripts that start a local
// Worker. An empty value in the example is a key to generate: 32 random bytes, base64
// (WEBHOOK_SECRET_KEY), so that no two machines share one.
import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";

/** The settings of a .dev.vars-style file: name → value. */
export const settingsOf = (/** @type {string} */ file) =>
  new Map(
    readFileSync(file, "utf8")
      .split("\n")
      .filter((line) => /^\w+=/.test(line))
      .map((line) => /** @type {[string, string]} */ (line.split(/=(.*)/s).slice(0, 2))),
  );

/** The example's settings, each empty one filled with a freshly generated key. */
export const localSettings = () =>
  new Map(
    [...settingsOf(".dev.vars.example")].map(([name, value]) => [
      name,
      value || randomBytes(32).toString("base64"),
    ]),
  );
