// `npm run test:examples`: runs every curl example in README.md and docs/*.md against a
// fresh local Worker (wrangler dev on a new, seeded D1) and compares each response with the
// one the document shows, so the docs cannot drift from the code. The `npm run import`
// commands of docs/imports.md run against it too, and must import their files.
//
// An example is a ```sh block that runs one curl command, followed by an ```http block with
// the expected response: status line, the headers that matter, and the body. Examples run in
// document order on one database, so ids are predictable. Values that differ on every run
// (request ids, *_at timestamps, the time inside a change feed cursor) only need the same type.
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { isDeepStrictEqual } from "node:util";
import { check, finish } from "./checks.js";
import { localVars, startLocalWorker } from "./local-worker.js";
import { startReceiver } from "./webhook-receiver.js";

const DOCUMENTED_ORIGIN = "http://localhost:8787";
const FILES = [
  "README.md",
  ...readdirSync("docs")
    .filter((f) => f.endsWith(".md"))
    .map((f) => join("docs", f)),
];

/** @typedef {{ file: string; line: number; command: string; expected: string }} Example */

/** @returns {Example[]} */
function examplesIn(/** @type {string} */ file) {
  const text = readFileSync(file, "utf8");
  const blocks = [...text.matchAll(/^```(\w*)\n([\s\S]*?)^```$/gm)].map((m) => ({
    lang: m[1],
    body: m[2] ?? "",
    line: text.slice(0, m.index).split("\n").length,
  }));
  const examples = [];
  for (let i = 0; i < blocks.length - 1; i++) {
    const [cmd, res] = [blocks[i], blocks[i + 1]];
    if (cmd?.lang === "sh" && /\bcurl /.test(cmd.body) && res?.lang === "http") {
      examples.push({ file, line: cmd.line, command: cmd.body.trim(), expected: res.body });
    }
  }
  return examples;
}

/** Splits an HTTP response (as `curl -i` prints it) into status, headers and body. */
function parseResponse(/** @type {string} */ text) {
  const normalised = text.replace(/\r\n/g, "\n");
  const split = normalised.indexOf("\n\n");
  const head = split === -1 ? normalised : normalised.slice(0, split);
  const body = split === -1 ? "" : normalised.slice(split + 2).trim();
  const [statusLine = "", ...headerLines] = head.trim().split("\n");
  const headers = new Map(
    headerLines.map((line) => {
      const colon = line.indexOf(":");
      return [line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  return { status: Number(statusLine.split(" ")[1]), headers, body };
}

const VOLATILE_HEADERS = new Set(["x-request-id"]);
// A webhook's signing secret is random too.
const isVolatileKey = (/** @type {string} */ key) =>
  key === "request_id" || key === "secret" || key.endsWith("_at") || key.endsWith("_until");
const TIME = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** The key inside a cursor (base64url JSON), or undefined. */
function cursorKey(/** @type {string} */ cursor) {
  try {
    const key = JSON.parse(Buffer.from(cursor, "base64url").toString());
    return Array.isArray(key) ? key : undefined;
  } catch {
    return undefined;
  }
}

/** A cursor that holds a time (the change feed's) matches one with any time and the same ids. */
function sameCursor(/** @type {unknown} */ expected, /** @type {unknown} */ actual) {
  const [want, got] = [expected, actual].map((c) =>
    typeof c === "string" ? cursorKey(c) : undefined,
  );
  if (!want?.some((part) => TIME.test(part))) return isDeepStrictEqual(expected, actual);
  return (
    got?.length === want.length &&
    want.every((part, i) => (TIME.test(part) ? TIME.test(got[i]) : isDeepStrictEqual(part, got[i])))
  );
}

/**
 * Like deep equality, but a volatile field only needs a value of the same type, and a cursor
 * may hold a different time.
 * @returns {boolean}
 */
function sameShape(/** @type {unknown} */ expected, /** @type {unknown} */ actual, key = "") {
  if (isVolatileKey(key) && typeof expected === "string") return typeof actual === "string";
  if (key === "next_cursor") return sameCursor(expected, actual);
  if (Array.isArray(expected)) {
    return (
      Array.isArray(actual) &&
      actual.length === expected.length &&
      expected.every((e, i) => sameShape(e, actual[i]))
    );
  }
  if (expected && typeof expected === "object") {
    if (!actual || typeof actual !== "object" || Array.isArray(actual)) return false;
    const keys = Object.keys(expected);
    return (
      isDeepStrictEqual(keys.sort(), Object.keys(actual).sort()) &&
      keys.every((k) =>
        sameShape(/** @type {any} */ (expected)[k], /** @type {any} */ (actual)[k], k),
      )
    );
  }
  return isDeepStrictEqual(expected, actual);
}

/** @returns {string[]} what differs; empty when the response matches the document */
function differences(/** @type {string} */ expectedText, /** @type {string} */ actualText) {
  const expected = parseResponse(expectedText);
  const actual = parseResponse(actualText);
  const problems = [];
  if (expected.status !== actual.status)
    problems.push(`status ${actual.status}, documented ${expected.status}`);
  for (const [name, value] of expected.headers) {
    const got = actual.headers.get(name);
    if (got === undefined) problems.push(`no ${name} header`);
    else if (!VOLATILE_HEADERS.has(name) && got !== value)
      problems.push(`${name}: ${got}, documented ${value}`);
  }
  if (expected.body === "" || actual.body === "") {
    if (expected.body !== actual.body)
      problems.push(
        `body ${JSON.stringify(actual.body)}, documented ${JSON.stringify(expected.body)}`,
      );
  } else {
    try {
      if (!sameShape(JSON.parse(expected.body), JSON.parse(actual.body)))
        problems.push(`body ${actual.body}`);
    } catch {
      problems.push(`body is not JSON: ${actual.body}`);
    }
  }
  return problems;
}

/** @typedef {{ secret: string; headers: Record<string, string>; body: string }} Delivery */

/**
 * One real delivery of the local Worker: a receiver on the loopback subscribes to
 * course.created, a course is created, and the first POST it gets is kept with its secret.
 * @returns {Promise<Delivery>}
 */
async function oneDelivery(/** @type {string} */ origin) {
  /** @type {(delivery: Omit<Delivery, "secret">) => void} */
  let arrived = () => {};
  const first = new Promise((resolve) => {
    arrived = resolve;
  });
  const receiver = await startReceiver({
    handle: ({ headers, body }) => {
      arrived({ headers, body });
      return { status: 204 };
    },
  });
  const call = async (/** @type {string} */ path, /** @type {unknown} */ body) =>
    (
      await fetch(`${origin}${path}`, {
        method: "POST",
        headers: {
          Authorization: `Bearer ${localVars().API_TOKEN}`,
          "Content-Type": "application/json",
        },
        body: JSON.stringify(body),
      })
    ).json();
  try {
    const { secret } = /** @type {{ secret: string }} */ (
      await call("/webhooks", { url: `${receiver.url}/`, events: ["course.created"] })
    );
    await call("/courses", { code: "VERIFY-1", title: "Verifier check" });
    const timeout = new Promise((_, reject) =>
      setTimeout(() => reject(new Error("no delivery within 20 s")), 20_000),
    );
    return {
      secret,
      .../** @type {Omit<Delivery, "secret">} */ (await Promise.race([first, timeout])),
    };
  } finally {
    receiver.close();
  }
}

/** The ```python and ```bash blocks of docs/webhooks.md that define `verify`. */
function verifiers() {
  const file = "docs/webhooks.md";
  const text = readFileSync(file, "utf8");
  return [...text.matchAll(/^```(python|bash)\n([\s\S]*?)^```$/gm)].map((m) => ({
    file,
    line: text.slice(0, m.index).split("\n").length,
    lang: m[1] ?? "",
    code: m[2] ?? "",
  }));
}

/**
 * Runs a verifier on the delivery (it must take it) and on a tampered copy (it must refuse;
 * the shell's also an empty secret or key with an empty signature):
 * Python's reads the delivery as JSON, the shell's takes the secret and headers as arguments
 * and the body on its input. Each prints "ok" when both hold.
 */
function runVerifier(
  /** @type {{ lang: string; code: string }} */ verifier,
  /** @type {Delivery} */ delivery,
) {
  const { secret, headers, body } = delivery;
  const run =
    verifier.lang === "bash"
      ? {
          program: "bash",
          args: [
            "verify",
            secret,
            headers["webhook-id"] ?? "",
            headers["webhook-timestamp"] ?? "",
            headers["webhook-signature"] ?? "",
          ],
          input: body,
          harness: `${verifier.code}
body=$(cat; printf x)
body=\${body%x}
printf %s "$body" | verify "$@" || { echo "a genuine delivery refused"; exit; }
printf '%s ' "$body" | verify "$@" && { echo "a tampered body passed"; exit; }
printf %s "$body" | verify "" "$2" "$3" "v1," && { echo "no secret and an empty signature passed"; exit; }
printf %s "$body" | verify "whsec_" "$2" "$3" "v1," && { echo "an empty key and signature passed"; exit; }
echo ok
`,
        }
      : {
          program: "python3",
          args: [],
          input: JSON.stringify(delivery),
          harness: `${verifier.code}
import sys
d = json.load(sys.stdin)
event = verify(d["secret"], d["headers"], d["body"].encode())
assert event["type"] == "course.created", event
try:
    verify(d["secret"], d["headers"], d["body"].encode() + b" ")
    print("a tampered body passed")
except ValueError:
    print("ok")
`,
        };
  const output = execFileSync(run.program, ["-c", run.harness, ...run.args], {
    input: run.input,
    encoding: "utf8",
  }).trim();
  return output === "ok" ? [] : [output];
}

/** The `npm run import` commands of docs/imports.md: each must import its file and succeed. */
function importCommands() {
  const file = "docs/imports.md";
  const lines = readFileSync(file, "utf8").split("\n");
  return lines.flatMap((line, i) =>
    line.startsWith("npm run import -- ") ? [{ file, line: i + 1, command: line.trim() }] : [],
  );
}

const examples = FILES.flatMap(examplesIn);
const worker = await startLocalWorker();
try {
  for (const example of examples) {
    const command = example.command.replaceAll(DOCUMENTED_ORIGIN, worker.origin);
    const output = execFileSync("bash", ["-c", command], { encoding: "utf8" });
    const title = `${example.file}:${example.line} ${example.command.split("\n")[0]}`;
    await check(title, () => differences(example.expected, output));
  }
  for (const example of importCommands()) {
    const title = `${example.file}:${example.line} ${example.command}`;
    await check(title, () => {
      const token = localVars().API_TOKEN?.split(",")[0] ?? "";
      const output = execFileSync(
        "bash",
        ["-c", `${example.command} --url ${worker.origin} --token ${token}`],
        { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
      );
      return output.includes("'succeeded'") ? [] : [`no succeeded import in:\n${output}`];
    });
  }
  const delivery = await oneDelivery(worker.origin);
  for (const snippet of verifiers())
    await check(`${snippet.file}:${snippet.line} ${snippet.lang} verify`, () =>
      runVerifier(snippet, delivery),
    );
} finally {
  worker.stop();
}
finish("examples");
