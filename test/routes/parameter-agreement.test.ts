import { env } from "cloudflare:workers";
import { type Schema, Validator } from "@cfworker/json-schema";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import document from "../../public/openapi.json";
import { encodeCursor } from "../../src/lib/cursor";
import { api, createCourse, createStudent, type ProblemBody } from "../helpers/api";

// The OpenAPI document and the app must agree on every parameter: a value the document's
// schema allows is one the app accepts, and the converse. For every parameter of every
// operation in the committed document (a new parameter is covered, or this fails for want of
// a generator), generated values go through the document's schema and, in an otherwise valid
// request, through the Worker: the document allows a value ⇔ the answer is not a 400
// validation_failed naming that parameter (`path.id`, `query.limit`, `header.If-Match`).
// Two documented exceptions: a cursor of the right syntax that no page made (the document
// cannot know which the server made), and a time that an offset moves out of years 0000 to
// 9999. Text fields of bodies agree on what a pattern can say. Every property runs from the
// seed in the test names; `FUZZ_SEED=<that seed> npm test` replays it.

const SEED = Number(env.FUZZ_SEED) || Math.floor(Math.random() * 2 ** 31);
/**
 * Generated values per parameter, shared among the operations that have it (X-D1-Bookmark is
 * on 15), at least MIN_RUNS on each, besides the fixed edge cases that each one tries.
 */
const RUNS = 100;
const MIN_RUNS = 8;
// Generous: a run takes a few seconds here, and a slow CI machine must not fail it on time.
const TIMEOUT_MS = 60_000;

type Location = "path" | "query" | "header";
type Parameter = { name: string; in: Location; schema: Schema };
type Operation = {
  method: string;
  path: string;
  parameters?: Parameter[];
  requestBody?: { content: { "application/json": { schema: Schema } } };
};

const operations = Object.entries(
  document.paths as unknown as Record<string, Record<string, Operation>>,
).flatMap(([path, methods]) =>
  Object.entries(methods).map(([method, op]) => ({ ...op, method: method.toUpperCase(), path })),
);

/** The document's verdict on a value, with the document's components at hand for any $ref. */
const documentCheck = (schema: Schema) => {
  const validator = new Validator(
    { ...schema, components: document.components } as Schema,
    "2020-12",
    false,
  );
  return (value: unknown) => validator.validate(value).valid;
};

// ---------------------------------------------------------------------------------------------
// What each place can carry, as the app then sees it.

/**
 * A header value: latin1, no CR, LF or NUL (a Request refuses them), and no spaces or tabs
 * around it (HTTP strips them: the value is what lies between, and the runtime hands the app
 * no more; the document must refuse them, see below). Generated values are ASCII: for each
 * other character workerd prints a warning (and sends it as UTF-8, a quirk no HTTP client
 * shares), so only the fixed edge cases try obs-text (0x80 to 0xFF).
 */
const headerValueUpTo = (highest: number) => (s: string) =>
  [...s]
    .filter((c) => (c.codePointAt(0) ?? 0) <= highest && !"\r\n\0".includes(c))
    .join("")
    .replace(/^[ \t]+|[ \t]+$/g, "");
const asHeaderValue = headerValueUpTo(0xff);
const asAsciiHeaderValue = headerValueUpTo(0x7f);

/** A query value: well-formed Unicode (a URL carries UTF-8), sent percent-encoded. */
const asQueryValue = (s: string) => s.toWellFormed();

/**
 * A path segment: well-formed Unicode, sent percent-encoded, and neither empty, `.` nor `..`
 * (the URL parser removes those segments, and the request goes to another route).
 */
const isPathValue = (s: string) => s.isWellFormed() && s !== "" && s !== "." && s !== "..";

// ---------------------------------------------------------------------------------------------
// Generators: values near the valid ones (edits of valid values, the edges of each range) and
// random ones.

const WHITESPACE = [
  "\t",
  "\n",
  "\v",
  "\f",
  "\r",
  " ",
  "\u00a0",
  "\u1680",
  "\u2000",
  "\u200a",
  "\u2028",
  "\u2029",
  "\u202f",
  "\u205f",
  "\u3000",
  "\ufeff",
];
// Characters that look like whitespace, letters or digits to some code and not to other code.
const TRAPS = [
  "\u0000",
  "\u007f",
  "\u0085",
  "\u0080",
  "\u00ff",
  "\u00e9",
  "\u180e",
  "\u200b",
  "\u212a", // Kelvin sign: lower-cases to k
  "\u017f", // long s: upper-cases to S
  "\u0131", // dotless i: upper-cases to I
  "\u0130", // I with a dot: lower-cases to two characters
  "ß",
  "\u202e",
  "\u2066",
  "１",
  "٣",
  "💥",
  "\ud800",
  "%",
  "+",
  "/",
  "=",
  '"',
  ",",
  "*",
  "\\",
  ".",
  "-",
  "_",
  "@",
  ":",
  "T",
  "Z",
  "W/",
];
const char = fc.oneof(
  fc.constantFrom(...WHITESPACE, ...TRAPS),
  fc.string({ unit: "binary-ascii", minLength: 1, maxLength: 1 }),
  fc.string({ unit: "binary", minLength: 1, maxLength: 1 }),
);
const noise = fc.oneof(
  fc.string({ unit: "binary-ascii", maxLength: 30 }),
  fc.string({ unit: "binary", maxLength: 30 }),
  fc.string({ unit: char, maxLength: 12 }),
);

/** One small edit of a value: a character put in, replaced or taken out, a case flipped, a cut. */
const edited = (valid: fc.Arbitrary<string>) =>
  fc
    .tuple(
      valid,
      fc.nat(),
      char,
      fc.constantFrom("insert", "replace", "delete", "wrap", "cut", "case", "double"),
    )
    .map(([s, at, c, how]) => {
      const i = at % (s.length + 1);
      switch (how) {
        case "insert":
          return s.slice(0, i) + c + s.slice(i);
        case "replace":
          return s.slice(0, i) + c + s.slice(i + 1);
        case "delete":
          return s.slice(0, i) + s.slice(i + 1);
        case "wrap":
          return c + s + c;
        case "cut":
          return s.slice(0, i);
        case "case":
          return s.slice(0, i) + s.slice(i).toUpperCase();
        default:
          return s + s;
      }
    });

/** Valid values, edits of them and noise, in that order of weight. */
const near = (valid: fc.Arbitrary<string>) =>
  fc.oneof(
    { arbitrary: valid, weight: 3 },
    { arbitrary: edited(valid), weight: 3 },
    { arbitrary: noise, weight: 1 },
  );

const around = (ws: fc.Arbitrary<string>, value: fc.Arbitrary<string>) =>
  fc.tuple(ws, value, ws).map(([a, v, b]) => a + v + b);
const whitespace = fc.string({ unit: fc.constantFrom(...WHITESPACE), maxLength: 3 });

const MAX_ID = 2n ** 53n - 1n;
const id = fc.oneof(
  fc.bigInt({ min: 1n, max: MAX_ID }),
  fc.bigInt({ min: MAX_ID - 20n, max: MAX_ID + 20n }),
  fc.bigInt({ min: 0n, max: 10n ** 20n }),
);
const idValue = near(fc.oneof(id.map(String), fc.stringMatching(/^[0-9]{1,18}$/)));

const limitValue = near(
  fc.oneof(fc.integer({ min: -2, max: 1100 }).map(String), fc.stringMatching(/^[0-9]{1,5}$/)),
);

const BASE64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
const base64urlText = (minLength: number, maxLength: number) =>
  fc.string({ unit: fc.constantFrom(...BASE64URL), minLength, maxLength });
const safeInteger = fc.maxSafeNat();
/** The places the API puts in its cursors: the last id of a page, or a place in the change feed. */
const idPlace = safeInteger.filter((n) => n > 0).map((n) => [n]);
const feedPlace = fc.tuple(
  fc.oneof(
    fc.constant(""),
    fc
      .date({
        min: new Date("0000-01-01T00:00:00.000Z"),
        max: new Date("9999-12-31T23:59:59.999Z"),
        noInvalidDate: true,
      })
      .map((d) => d.toISOString()),
  ),
  safeInteger,
  safeInteger,
);
const madeCursor = (path: string) =>
  (path === "/enrollments" ? feedPlace : idPlace).map((place) => encodeCursor(place));
const cursorValue = near(
  fc.oneof(
    idPlace.map(encodeCursor),
    feedPlace.map(encodeCursor),
    fc.jsonValue({ maxDepth: 2 }).map((v) => encodeCursor([JSON.stringify(v) ?? ""])),
    base64urlText(1, 12),
    base64urlText(195, 205),
  ),
);

const statusValue = near(fc.constantFrom("active", "dropped", "all"));
const deliveryStatusValue = near(fc.constantFrom("pending", "succeeded", "failed"));
const importTypeValue = near(fc.constantFrom("students", "courses", "enrollments"));
const booleanValue = near(fc.constantFrom("true", "false"));
const importModeValue = near(fc.constantFrom("upsert", "sync"));
const percentValue = near(
  fc.oneof(fc.integer({ min: -2, max: 120 }).map(String), fc.stringMatching(/^[0-9]{1,4}$/)),
);

// Webhook URLs, built from parts whose verdict is known: the document's pattern says the
// shape (scheme, no user info, no whitespace); its description says in words which hosts are
// refused and that http is for local receivers only, which the tests' deployment allows.
const LOCAL_HOSTS = ["127.0.0.1", "localhost", "[::1]"];
const INTERNAL_HOSTS = [
  "10.0.0.7",
  "172.16.5.4",
  "192.168.1.1",
  "100.64.0.1",
  "169.254.169.254",
  "0.0.0.0",
  "127.8.8.8",
  "[fd00:ec2::254]",
  "[fe80::1]",
  "[::ffff:10.0.0.1]",
  "intranet",
  "metadata.google.internal",
  "printer.local",
  "app.localhost",
];
const PUBLIC_HOSTS = ["hooks.example.org", "203.0.113.9", "[2001:db8::1]", "receiver.example.com"];
const PORTS = ["", ":8443"];
const PATHS = ["", "/", "/hooks/enrollments?token=abc", "#part"];
const joined = (parts: string[]) => parts.join("");
// A third of the values are valid URLs. Built from random parts alone, few were (any part can
// spoil one), and 2 runs in 15 of 40 values saw the document allow none.
const validUrl = fc
  .tuple(
    fc.constant("https://"),
    fc.constantFrom(...PUBLIC_HOSTS, ...LOCAL_HOSTS),
    fc.constantFrom(...PORTS),
    fc.constantFrom(...PATHS),
  )
  .map(joined);
const anyUrl = fc
  .tuple(
    fc.oneof(
      { arbitrary: fc.constant("https://"), weight: 4 },
      { arbitrary: fc.constantFrom("http://", "ftp://", "https:/", "//", ""), weight: 2 },
    ),
    fc.oneof(
      { arbitrary: fc.constant(""), weight: 4 },
      { arbitrary: fc.constantFrom("user:pw@", "user@"), weight: 1 },
    ),
    fc.constantFrom(...LOCAL_HOSTS, ...INTERNAL_HOSTS, ...PUBLIC_HOSTS),
    fc.constantFrom(...PORTS),
    fc.constantFrom(...PATHS, "/a b"),
  )
  .map(joined);
const urlValue = fc.oneof(
  validUrl,
  around(whitespace, anyUrl),
  fc.constantFrom("", "https://", "not a url", `https://hooks.example.org/${"x".repeat(2100)}`),
);

/** What the document says of a URL's host in words: http only to a local host; no internal host. */
function urlHostAllowed(value: string): boolean {
  const [, scheme, host] = /^(https?):\/\/(\[[^\]]+\]|[^/?#:]+)/.exec(value.trim()) ?? [];
  if (!host) return true;
  if (LOCAL_HOSTS.includes(host)) return true;
  return scheme === "https" && !INTERNAL_HOSTS.includes(host);
}

const emailValue = near(
  fc.oneof(
    // Addresses as schools have them: most of what fc.emailAddress() makes (quoted local
    // parts, address literals) the pattern refuses, and a run could see no allowed value.
    fc
      .tuple(
        fc.stringMatching(/^[a-z][a-z0-9]{0,10}$/),
        fc.constantFrom("example.org", "school.edu"),
      )
      .map(([local, domain]) => `${local}@${domain}`),
    fc.emailAddress(),
    fc.emailAddress().map((e) => e.toUpperCase()),
    around(whitespace, fc.emailAddress()),
    fc.emailAddress().map((e) => e.replace(/k/i, "\u212a")),
    // At the length limit, around it, and with whitespace beyond it.
    fc
      .tuple(fc.integer({ min: 248, max: 258 }), whitespace)
      .map(([n, ws]) => `${ws}${"a".repeat(64)}@${"b".repeat(n - 69)}.org${ws}`),
  ),
);

const codeValue = near(
  fc.oneof(
    fc.stringMatching(/^[A-Za-z0-9._-]{1,34}$/),
    around(whitespace, fc.stringMatching(/^[A-Za-z0-9._-]{2,32}$/)),
    fc.stringMatching(/^[A-Za-z0-9._-]{2,32}$/).map((c) => c.replace(/s/i, "\u017f")),
  ),
);

const pad = (n: number, width = 2) => String(n).padStart(width, "0");
const mostly = (valid: fc.Arbitrary<number>, any: fc.Arbitrary<number>) =>
  fc.oneof({ arbitrary: valid, weight: 5 }, { arbitrary: any, weight: 1 });
const offset = fc.oneof(
  fc.constantFrom("Z", "z", "+00:00", "-00:00", ""),
  fc
    .tuple(
      fc.constantFrom("+", "-"),
      mostly(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 99 })),
      mostly(fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 99 })),
    )
    .map(([sign, h, m]) => `${sign}${pad(h)}:${pad(m)}`),
);
const clock = fc
  .tuple(
    mostly(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 99 })),
    mostly(fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 99 })),
    mostly(fc.integer({ min: 0, max: 59 }), fc.integer({ min: 0, max: 99 })),
    fc.option(fc.stringMatching(/^[0-9]{0,11}$/), { nil: undefined }),
  )
  .map(
    ([h, m, s, fraction]) =>
      `${pad(h)}:${pad(m)}:${pad(s)}${fraction === undefined ? "" : `.${fraction}`}`,
  );
const timeValue = near(
  fc.oneof(
    // Any field in or near its range, leap days and the turns of centuries included.
    fc
      .tuple(
        fc.oneof(
          fc.integer({ min: 0, max: 9999 }),
          fc.constantFrom(0, 4, 100, 400, 1900, 2000, 2024, 2026, 2100, 9996, 9999),
        ),
        mostly(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 0, max: 99 })),
        mostly(fc.integer({ min: 1, max: 28 }), fc.integer({ min: 0, max: 99 })),
        fc.constantFrom("T", "T", "T", "t", " "),
        clock,
        offset,
      )
      .map(([y, mo, d, t, time, off]) => `${pad(y, 4)}-${pad(mo)}-${pad(d)}${t}${time}${off}`),
    fc
      .tuple(fc.integer({ min: 0, max: 9999 }), fc.integer({ min: 1, max: 12 }), clock)
      .map(([y, mo, time]) => `${pad(y, 4)}-${pad(mo)}-29T${time}Z`),
    // The edges of years 0000 and 9999, where an offset moves the time out of range.
    fc
      .tuple(fc.constantFrom("0000-01-01", "9999-12-31"), clock, offset)
      .map(([date, time, off]) => `${date}T${time}${off}`),
    fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  ),
);

/** An If-Match header: `*`, or lists of tags, up to and past 100, with empty elements. */
const ETAGC = fc.oneof(
  fc.stringMatching(/^[\x21\x23-\x7e]$/),
  fc.constantFrom("\x80", "\xe9", "\xff", " ", '"', "\x7f", "\t"),
);
const etag = fc
  .tuple(
    fc.constantFrom("", "", "", "W/", "w/", "W/ "),
    fc.oneof(
      fc.integer({ min: 1, max: 40 }).map((v) => `r3.${v}`),
      fc.string({ unit: ETAGC, maxLength: 8 }),
    ),
    fc.constantFrom('"', '"', '"', "", "'"),
  )
  .map(([weak, inner, close]) => `${weak}"${inner}${close}`);
const separator = fc.constantFrom(",", ", ", " , ", ",,", ", ,", "\t,", " ", "");
const tagList = (count: fc.Arbitrary<number>) =>
  count.chain((n) =>
    fc
      .tuple(
        fc.array(fc.tuple(etag, separator), { minLength: n, maxLength: n }),
        fc.constantFrom("", "", ",", ", ,"),
        fc.constantFrom("", "", ",", " ,"),
      )
      .map(
        ([items, lead, trail]) =>
          lead + items.map(([tag, sep], i) => (i === 0 ? tag : sep + tag)).join("") + trail,
      ),
  );
const manyTags = fc
  .tuple(fc.integer({ min: 98, max: 102 }), fc.constantFrom(", ", ",", ", , "))
  .map(([n, sep]) => Array.from({ length: n }, (_, i) => `"r3.${i + 1}"`).join(sep));
const ifMatchValue = near(
  fc.oneof(
    fc.constantFrom("*", "*", "**", '*, "r3.1"', "\v*", "*\f", "\xa0*"),
    tagList(fc.integer({ min: 0, max: 4 })),
    manyTags,
  ),
);

const keyValue = near(
  fc.oneof(
    fc.string({ unit: fc.stringMatching(/^[\x20-\x7e]$/), minLength: 1, maxLength: 40 }),
    fc.uuid().map((u) => `"${u}"`),
    fc
      .integer({ min: 253, max: 257 })
      .chain((n) =>
        fc.string({ unit: fc.stringMatching(/^[\x20-\x7e]$/), minLength: n, maxLength: n }),
      ),
  ),
);

const hex = (n: number) => fc.stringMatching(new RegExp(`^[0-9a-f]{${n}}$`));
const bookmarkValue = near(
  fc.tuple(hex(8), hex(8), hex(8), hex(32)).map((parts) => parts.join("-")),
);

/** Free text as a person types it, near the characters the app refuses; short, see below. */
const textValue = fc
  .oneof(
    fc.string({ unit: "grapheme", maxLength: 20 }),
    fc.string({ unit: char, maxLength: 8 }),
    around(whitespace, fc.string({ unit: "grapheme-ascii", minLength: 1, maxLength: 12 })),
    whitespace,
    edited(fc.constantFrom("Ada Lovelace", "Élodie", "李小龙", "e\u0301", "Intro to CS")),
  )
  .map((s) => s.toWellFormed())
  .filter((s) => s.length <= 60);

const headerText = fc.oneof(
  ifMatchValue,
  fc.string({ unit: "binary-ascii", maxLength: 60 }),
  fc.string({ unit: char, maxLength: 20 }),
);

// Fixed values that must always be tried: the edges of each rule.
const EDGES: Record<string, string[]> = {
  "path:id": [
    "1",
    "9",
    "10",
    "0",
    "01",
    "-1",
    "+1",
    "1.0",
    "1e3",
    " 1",
    "9007199254740991",
    "9007199254740992",
    "9999999999999999",
    "10000000000000000",
    "18446744073709551616",
    "１",
    "%31",
  ],
  "query:limit": ["1", "20", "100", "101", "999", "1000", "1001", "0", "010", "+5", "5.0", " 5"],
  "query:max_drop_percent": ["0", "10", "100", "101", "-1", "010", "5.0", " 5", "1e2"],
  "query:cursor": [
    "WzFd",
    "WzJd==",
    "WzJd+",
    "W10",
    "e30",
    "x".repeat(200),
    "x".repeat(201),
    "",
    encodeCursor(["", 0, 0]),
  ],
  "query:status": ["active", "dropped", "all", "ALL", "Active", " active", "deleted", ""],
  "query:email": [
    "ada@example.org",
    " ADA@Example.org ",
    "\u00a0ada@example.org\u3000",
    "\tada@example.org\n",
    "\u212aelvin@example.org",
    "\u0130@example.org",
    "\u200bada@example.org",
    "\u0085ada@example.org",
    "a@b.co",
    "a@b.c",
    `${"a".repeat(64)}@${"b".repeat(185)}.org`,
    `${"a".repeat(64)}@${"b".repeat(186)}.org`,
    ` ${"a".repeat(64)}@${"b".repeat(185)}.org `,
    "",
  ],
  "query:code": [
    "AB",
    "cs101",
    "A",
    "A".repeat(32),
    "A".repeat(33),
    " cs101 ",
    "\u00a0CS-1\u2029",
    "\u017fs101",
    "CS 101",
    "\u180eCS1",
    "",
  ],
  "query:updated_since": [
    "2026-11-24T10:00:00Z",
    "2026-11-24T10:00:00.123456789+05:30",
    "2026-11-24T10:00:00.1234567890Z",
    "2024-02-29T00:00:00Z",
    "2026-02-29T00:00:00Z",
    "1900-02-29T00:00:00Z",
    "2000-02-29T00:00:00Z",
    "0000-02-29T00:00:00Z",
    "2026-04-31T00:00:00Z",
    "2026-11-24T24:00:00Z",
    "2026-11-24T23:59:60Z",
    "2026-11-24t10:00:00z",
    "2026-11-24 10:00:00Z",
    "2026-11-24T10:00Z",
    "2026-11-24T10:00:00+24:00",
    "2026-11-24T10:00:00-23:59",
    "0000-01-01T00:00:00+01:00",
    "0000-01-01T01:00:00+01:00",
    "0000-01-01T00:59:59.999+01:00",
    "9999-12-31T23:00:00-01:00",
    "9999-12-31T22:59:59.999-01:00",
    "+002026-11-24T10:00:00Z",
  ],
  "header:If-Match": [
    "*",
    "**",
    '*, "r3.1"',
    "\v*",
    '"r3.1"',
    'W/"r3.1"',
    'w/"r3.1"',
    '"r3.1", "r3.2"',
    ',"r3.1",,',
    ",",
    "",
    '"a" "b"',
    '"unclosed',
    '"a b"',
    '"\xe9"',
    '"a\x7f"',
    'W/ "a"',
    Array.from({ length: 100 }, (_, i) => `"r3.${i}"`).join(", , "),
    Array.from({ length: 101 }, (_, i) => `"r3.${i}"`).join(","),
  ],
  "header:If-None-Match": ["*", '"x"', "", "junk", '"unclosed', "\v*"],
  "header:Idempotency-Key": [
    "k",
    "x".repeat(255),
    "x".repeat(256),
    "a key ~!@#$%^&*()",
    '"8e03978e-40d5-43e8-bc93-6894a57f9324"',
    "tab\there",
    "cl\xe9",
    "del\x7f",
    "",
  ],
  "header:X-D1-Bookmark": [
    "0000007b-0000b26e-00001538-0c3e87bb37b3db5cc52eedb93cd3b96b",
    "0000007B-0000b26e-00001538-0c3e87bb37b3db5cc52eedb93cd3b96b",
    "0000007b-0000b26e-00001538-0c3e87bb37b3db5cc52eedb93cd3b96",
    "garbage",
    "",
  ],
};

const GENERATORS: Record<string, (path: string) => fc.Arbitrary<string>> = {
  "path:id": () => idValue,
  "path:course_id": () => idValue,
  "path:delivery_id": () => idValue,
  "query:limit": () => limitValue,
  "query:cursor": (path) => fc.oneof(cursorValue, madeCursor(path)),
  "query:status": (path) => (path.endsWith("/deliveries") ? deliveryStatusValue : statusValue),
  "query:email": () => emailValue,
  "query:code": () => codeValue,
  "query:sis_id": () => textValue,
  "query:type": () => importTypeValue,
  "query:dry_run": () => booleanValue,
  "query:mode": () => importModeValue,
  "query:max_drop_percent": () => percentValue,
  "query:updated_since": () => timeValue,
  "header:If-Match": () => ifMatchValue,
  "header:If-None-Match": () => headerText,
  "header:Idempotency-Key": () => keyValue,
  "header:X-D1-Bookmark": () => bookmarkValue,
};
EDGES["path:course_id"] = EDGES["path:id"] ?? [];
EDGES["path:delivery_id"] = EDGES["path:id"] ?? [];

/**
 * Whether the offset moves a date-time out of years 0000 to 9999 in UTC, worked out on its
 * fields: only on 0000-01-01 before a + offset's time, or on 9999-12-31 from 24:00 less a -
 * offset on. The document says so in words; its pattern cannot.
 */
function leavesYears0000To9999(value: string): boolean {
  const fields = /^(0000-01-01|9999-12-31)T(\d\d):(\d\d):(\d\d)(?:\.\d+)?([+-])(\d\d):(\d\d)$/.exec(
    value,
  );
  if (!fields) return false;
  const [, date, h, m, s, sign, oh, om] = fields;
  const local = Number(h) * 3600 + Number(m) * 60 + Number(s);
  const shift = Number(oh) * 3600 + Number(om) * 60;
  return date === "0000-01-01"
    ? sign === "+" && local < shift
    : sign === "-" && local + shift >= 86400;
}

// ---------------------------------------------------------------------------------------------
// Requests: every parameter but the one under test, and the body, are valid.

let ids: { student: string; course: string };
const MISSING = "999999999";

/** A valid body for each operation that takes one; writes go to rows that do not exist. */
const BODIES: Record<string, () => unknown> = {
  "POST /students": () => ({ name: "Agreement", email: "agreement@example.org" }),
  "PATCH /students/{id}": () => ({ name: "Agreement" }),
  "POST /courses": () => ({ code: "AGREE-1", title: "Agreement" }),
  "PATCH /courses/{id}": () => ({ title: "Agreement" }),
  "POST /students/{id}/courses": () => ({ course_id: Number(ids.course) }),
  "POST /webhooks": () => ({
    url: `${env.WEBHOOK_RECEIVER}/ok/agreement`,
    events: ["course.deleted"],
  }),
  "PATCH /webhooks/{id}": () => ({ description: "Agreement" }),
};

type Sent = { method: string; path: string; headers: Record<string, string>; json?: unknown };

function requestWith(
  op: (typeof operations)[number],
  where: Location | "body",
  name: string,
  value: string,
): Sent {
  const valid = BODIES[`${op.method} ${op.path}`]?.() as Record<string, unknown> | undefined;
  const body =
    where === "body" ? { ...(op.method === "PATCH" ? {} : valid), [name]: value } : valid;
  // Reads and enrolls on rows that exist; updates and deletes on rows that do not, so that
  // nothing changes (the checks run before the row is looked for).
  const write = op.method === "PATCH" || op.method === "DELETE";
  const defaults: Record<string, string> = {
    id:
      write || op.path.startsWith("/webhooks")
        ? MISSING
        : op.path.startsWith("/courses")
          ? ids.course
          : ids.student,
    course_id: write ? MISSING : ids.course,
    delivery_id: MISSING,
  };
  const path = op.path.replace(/\{(\w+)\}/g, (_, param: string) =>
    encodeURIComponent(where === "path" && param === name ? value : (defaults[param] ?? "")),
  );
  const query = where === "query" ? `?${new URLSearchParams({ [name]: value })}` : "";
  return {
    method: op.method,
    path: path + query,
    headers: where === "header" ? { [name]: value } : {},
    ...(body !== undefined && { json: body }),
  };
}

/** Sends a request; answers whether the app refused the value at `target` (400 validation_failed naming it). */
async function refusedAt(sent: Sent, target: string): Promise<boolean> {
  const res = await api(sent.path, { method: sent.method, headers: sent.headers, json: sent.json });
  const label = `${sent.method} ${sent.path} → ${res.status}`;
  expect(res.status, label).toBeLessThan(500);
  if (res.status !== 400) return false;
  const problem = (await res.json()) as ProblemBody;
  return (
    problem.code === "validation_failed" &&
    (problem.errors ?? []).some((error) => error.path === target)
  );
}

/** How a generated value, and an edge case, is carried. */
const carry: Record<Location, (s: string) => string> = {
  header: asAsciiHeaderValue,
  query: asQueryValue,
  path: (s) => s,
};
const carryEdge: Record<Location, (s: string) => string> = { ...carry, header: asHeaderValue };

const parameters = operations.flatMap((op) =>
  (op.parameters ?? []).map((parameter) => ({ op, parameter })),
);
const keyOf = (parameter: Parameter) => `${parameter.in}:${parameter.name}`;
const operationsWith = (key: string) =>
  parameters.filter(({ parameter }) => keyOf(parameter) === key).length;

beforeAll(async () => {
  const [student, course] = [await createStudent(), await createCourse()];
  ids = { student: String(student.id), course: String(course.id) };
});

describe(`parameters: the document allows a value ⇔ the app accepts it (FUZZ_SEED=${SEED})`, () => {
  it("covers parameters in every place", () => {
    const places = new Set(parameters.map(({ parameter }) => parameter.in));
    expect([...places].sort()).toEqual(["header", "path", "query"]);
  });

  for (const { op, parameter } of parameters) {
    const key = keyOf(parameter);
    const target = `${parameter.in}.${parameter.name}`;
    it(`${op.method} ${op.path}: ${parameter.in} ${parameter.name}`, {
      timeout: TIMEOUT_MS,
    }, async () => {
      const generator = GENERATORS[key];
      expect(
        generator,
        `no generator for the ${parameter.in} parameter ${parameter.name}`,
      ).toBeDefined();
      if (!generator) return;
      const allows = documentCheck(parameter.schema);
      const carried = generator(op.path)
        .map(carry[parameter.in])
        .filter((value) => parameter.in !== "path" || isPathValue(value));
      const seen = { allowed: 0, refused: 0 };
      const property = fc.asyncProperty(carried, async (value) => {
        const allowed = allows(value);
        seen[allowed ? "allowed" : "refused"] += 1;
        const refused = await refusedAt(
          requestWith(op, parameter.in, parameter.name, value),
          target,
        );
        const verdicts = `${JSON.stringify(value)}: the document ${allowed ? "allows" : "refuses"} it, the app ${refused ? "refuses" : "accepts"} it`;
        if (key === "query:cursor") {
          // The document states a cursor's syntax; only the server knows which it made.
          expect(allowed || refused, verdicts).toBe(true);
        } else if (key === "query:updated_since" && allowed && refused) {
          expect(leavesYears0000To9999(value), verdicts).toBe(true);
        } else {
          expect(allowed, verdicts).toBe(!refused);
        }
      });
      const examples = (EDGES[key] ?? [])
        .map(carryEdge[parameter.in])
        .filter((value) => parameter.in !== "path" || isPathValue(value))
        .map((value): [string] => [value]);
      const numRuns = Math.max(MIN_RUNS, Math.ceil(RUNS / operationsWith(key)));
      await fc.assert(property, { seed: SEED, numRuns, examples });
      // The generator reaches both sides of the rule (If-None-Match has no other side).
      expect(seen.allowed, "values the document allows").toBeGreaterThan(0);
      if (Object.keys(parameter.schema).some((k) => ["pattern", "enum"].includes(k)))
        expect(seen.refused, "values the document refuses").toBeGreaterThan(0);
    });
  }

  const cursors = parameters.filter(({ parameter }) => parameter.name === "cursor");
  for (const { op, parameter } of cursors) {
    it(`${op.method} ${op.path}: the cursors the API makes are allowed by both`, {
      timeout: TIMEOUT_MS,
    }, async () => {
      const allows = documentCheck(parameter.schema);
      await fc.assert(
        fc.asyncProperty(madeCursor(op.path), async (cursor) => {
          expect(allows(cursor), cursor).toBe(true);
          const sent = requestWith(op, "query", "cursor", cursor);
          expect(await refusedAt(sent, "query.cursor"), cursor).toBe(false);
        }),
        { seed: SEED, numRuns: 20 },
      );
    });
  }
});

describe(`header values: none has a space or tab around it (FUZZ_SEED=${SEED})`, () => {
  // HTTP strips them, so the app never sees one; a document that allowed them would promise
  // values that arrive as other values (" " arrives as an empty key).
  const seen = new Set<string>();
  for (const { op, parameter } of parameters) {
    const key = keyOf(parameter);
    const generator = GENERATORS[key];
    const unique = `${key} ${JSON.stringify(parameter.schema)}`;
    if (parameter.in !== "header" || !("pattern" in parameter.schema) || seen.has(unique)) continue;
    seen.add(unique);
    it(`${parameter.name} (as on ${op.method} ${op.path}): the document refuses them`, () => {
      expect(generator, `no generator for the header ${parameter.name}`).toBeDefined();
      if (!generator) return;
      const allows = documentCheck(parameter.schema);
      const allowed = generator(op.path)
        .map(asAsciiHeaderValue)
        .filter((value) => value !== "" && allows(value));
      fc.assert(
        fc.property(
          allowed,
          fc.constantFrom(" ", "\t", "  "),
          fc.boolean(),
          (value, ws, before) => {
            const padded = before ? ws + value : value + ws;
            expect(allows(padded), JSON.stringify(padded)).toBe(false);
          },
        ),
        { seed: SEED, numRuns: 100 },
      );
    });
  }
});

describe(`body text fields: the document's pattern and the app agree (FUZZ_SEED=${SEED})`, () => {
  // Email and code: exactly. Name and title: on what a pattern can say (control characters,
  // line separators, bidirectional controls, whitespace alone). Not said by the pattern, so
  // not generated here: the length after trimming and NFC (values stay far below the limit)
  // and lone surrogates (refused by the app, allowed by most JSON Schema validators).
  const BODY_GENERATORS: Record<string, fc.Arbitrary<string>> = {
    name: textValue,
    title: textValue,
    description: textValue,
    email: emailValue,
    code: codeValue,
    url: urlValue,
    sis_id: textValue,
  };
  const fields = operations.flatMap((op) => {
    const schema = (op.requestBody?.content as Record<string, { schema: Schema }> | undefined)?.[
      "application/json"
    ]?.schema as { properties?: Record<string, Schema> } | undefined;
    return Object.entries(schema?.properties ?? {})
      .filter(([, property]) => property.type === "string")
      .map(([name, property]) => ({ op, name, schema: property }));
  });

  it("covers the text fields of the bodies", () => {
    expect(new Set(fields.map(({ name }) => name))).toEqual(
      new Set(["name", "email", "code", "title", "url", "description", "sis_id"]),
    );
  });

  for (const { op, name, schema } of fields) {
    it(`${op.method} ${op.path}: body ${name}`, { timeout: TIMEOUT_MS }, async () => {
      const generator = BODY_GENERATORS[name];
      expect(generator, `no generator for the body field ${name}`).toBeDefined();
      if (!generator) return;
      const allows = documentCheck(schema);
      const seen = { allowed: 0, refused: 0 };
      await fc.assert(
        fc.asyncProperty(generator, async (value) => {
          const allowed = allows(value) && (name !== "url" || urlHostAllowed(value));
          seen[allowed ? "allowed" : "refused"] += 1;
          const refused = await refusedAt(requestWith(op, "body", name, value), `body.${name}`);
          expect(
            allowed,
            `${JSON.stringify(value)}: the document ${allowed ? "allows" : "refuses"} it, the app ${refused ? "refuses" : "accepts"} it`,
          ).toBe(!refused);
        }),
        { seed: SEED, numRuns: 40 },
      );
      expect(seen.allowed, "values the document allows").toBeGreaterThan(0);
      expect(seen.refused, "values the document refuses").toBeGreaterThan(0);
    });
  }
});
