import { env } from "cloudflare:workers";
import fc from "fast-check";
import { TEST_TOKENS } from "../helpers/tokens";

// Generators of hostile requests: every part a client controls, from plausible to absurd.

/** Strings that break naive parsers: numbers in disguise, unicode edge cases, control characters. */
export const weirdString = fc.oneof(
  fc.constantFrom(
    "",
    " ",
    "0",
    "-1",
    "1.5",
    "1e3",
    "0x10",
    "NaN",
    "Infinity",
    "-0",
    "null",
    "true",
    "[]",
    "{}",
    "9007199254740992",
    "99999999999999999999",
    "\u0000",
    "\u0007bell",
    "a\nb",
    "\u202eevil",
    "e\u0301",
    "\ud800",
    "\udfff",
    "\uFEFF",
    "💥",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "ﬀ",
    "İ",
    "ß",
    "' OR 1=1 --",
    "<script>",
    "%00",
    "../..",
    "a@b",
    "@",
    "a@b.c",
  ),
  fc.string({ unit: "binary", maxLength: 40 }),
  fc.string({ unit: "grapheme", maxLength: 300 }),
);

/** JSON values, including deep and wide ones. */
export const anyJson = fc.oneof(
  fc.jsonValue({ maxDepth: 6 }),
  fc.constantFrom(1e308, -1e308, 2 ** 53 + 1, -(2 ** 53), 0.1, -0, Number.MIN_VALUE),
  weirdString,
);

const id = fc.oneof(
  fc.integer({ min: 1, max: 4 }),
  fc.integer({ min: -5, max: 2 ** 40 }),
  fc.constantFrom(2 ** 53 - 1, 2 ** 53, 1.5),
);

// Bodies for each write route: right keys with wrong values, extra keys, and mostly valid
// ones whose fixed email, code or SIS id comes back often, to hit the conflicts.
const sisId = fc.oneof(
  fc.string({ maxLength: 260 }),
  fc.constantFrom("SIS-DUP", "sis-dup", " SIS-DUP ", null),
);
export const studentBody = fc.oneof(
  fc.record({ name: anyJson, email: anyJson, sis_id: anyJson }, { requiredKeys: [] }),
  fc.record(
    {
      name: fc.string({ maxLength: 60 }),
      email: fc.oneof(fc.emailAddress(), fc.constantFrom("dup@example.org", "DUP@Example.org")),
      sis_id: sisId,
    },
    { requiredKeys: ["name", "email"] },
  ),
);
// Seats and places in line: in range, at its edges, past them, and not numbers at all.
const seats = fc.oneof(
  fc.integer({ min: 0, max: 3 }),
  fc.constantFrom(null, -1, 100_000, 100_001, 2.5, "2", 2 ** 53),
  anyJson,
);
export const courseBody = fc.oneof(
  fc.record(
    {
      code: anyJson,
      title: anyJson,
      capacity: anyJson,
      waitlist_capacity: anyJson,
      sis_id: anyJson,
    },
    { requiredKeys: [] },
  ),
  fc.record(
    {
      code: fc.oneof(
        fc.stringMatching(/^[A-Za-z0-9._-]{1,34}$/),
        fc.constantFrom("DUP-1", "dup-1"),
      ),
      title: fc.string({ maxLength: 210 }),
      capacity: seats,
      waitlist_capacity: seats,
      sis_id: sisId,
    },
    { requiredKeys: ["code", "title"] },
  ),
);
export const enrollBody = fc.oneof(
  fc.record({ course_id: fc.oneof(id, anyJson) }, { requiredKeys: [] }),
  fc.record({ course_id: id, extra: anyJson }),
);

/** A value as body text: JSON, truncated JSON, ambiguous or oversized JSON, or bytes that are not UTF-8. */
export const asBody = (value: fc.Arbitrary<unknown>): fc.Arbitrary<string | Uint8Array> =>
  fc.oneof(
    { arbitrary: value.map((v) => JSON.stringify(v) ?? ""), weight: 4 },
    value.chain((v) => {
      const text = JSON.stringify(v) ?? "";
      return fc.nat({ max: text.length }).map((cut) => text.slice(0, cut));
    }),
    fc.constantFrom(
      '{"name":"A","name":"B","email":"d@example.org"}',
      '{"course_id":1,"course_id":2}',
      "{",
      "]",
      "nul",
      "{'a':1}",
      '{"a":1,}',
    ),
    fc
      .integer({ min: 1, max: 60 })
      .map((depth) => `{"name":${"[".repeat(depth)}${"]".repeat(depth)}}`),
    fc
      .integer({ min: 15_000, max: 20_000 })
      .map((size) => JSON.stringify({ name: "x".repeat(size), email: "big@example.org" })),
    fc.uint8Array({ minLength: 1, maxLength: 64 }),
  );

// Webhook subscriptions: receivers on the loopback (the tests reach no other host), URLs the
// SSRF rules refuse, event lists with unknown or repeated types, and the enabled switch.
const webhookUrl = fc.oneof(
  fc.constantFrom(
    `${env.WEBHOOK_RECEIVER}/ok/fuzz`,
    `${env.WEBHOOK_RECEIVER}/gone/fuzz`,
    "https://10.0.0.1/",
    "https://[::1]/",
    "http://hooks.example.org/",
    "https://user:pw@hooks.example.org/",
    "https://",
    "javascript:alert(1)",
  ),
  weirdString,
  anyJson,
);
const webhookEvents = fc.oneof(
  fc.constantFrom(["*"], ["enrollment.created"], ["student.deleted", "student.deleted"], []),
  fc.array(fc.oneof(fc.constantFrom("course.updated", "*", "enrollment.exploded"), weirdString)),
  anyJson,
);
export const webhookBody = fc.record(
  {
    url: webhookUrl,
    events: webhookEvents,
    description: fc.oneof(fc.string({ maxLength: 510 }), fc.constant(null), anyJson),
    enabled: fc.oneof(fc.boolean(), anyJson),
  },
  { requiredKeys: [] },
);

export const body = asBody(fc.oneof(studentBody, courseBody, enrollBody, webhookBody, anyJson));

const segment = fc.oneof(
  id.map(String),
  weirdString.map((s) => encodeURIComponent(s.toWellFormed())),
  fc.constantFrom("%ZZ", "%C0%AF", "%FF", "%2e%2e", "%00", "1%20", "１", "0001", "1e3", "-0"),
);

const template = fc.constantFrom(
  "/students",
  "/students/$",
  "/students/$/courses",
  "/students/$/courses/$",
  "/courses",
  "/courses/$",
  "/courses/$/students",
  "/enrollments",
  "/enrollments/$",
  "/webhooks",
  "/webhooks/$",
  "/webhooks/$/secret",
  "/webhooks/$/deliveries",
  "/webhooks/$/deliveries/$/retry",
  "/health",
  "/$",
  "/$/$/$",
  "/students/$/$",
);

const anyPath = fc
  .tuple(template, fc.array(segment, { minLength: 3, maxLength: 3 }))
  .map(([t, [a, b, c]]) =>
    t
      .replace("$", a ?? "")
      .replace("$", b ?? "")
      .replace("$", c ?? ""),
  );

/** The lists, with ids that exist: where query strings matter. */
const listPath = fc.oneof(
  fc.constantFrom("/students", "/courses", "/enrollments", "/webhooks"),
  fc.integer({ min: 1, max: 3 }).map((n) => `/webhooks/${n}/deliveries`),
  fc.integer({ min: 1, max: 3 }).map((n) => `/students/${n}/courses`),
  fc.integer({ min: 1, max: 3 }).map((n) => `/courses/${n}/students`),
);

export const path = fc.oneof({ arbitrary: anyPath, weight: 2 }, { arbitrary: listPath, weight: 1 });

const queryKey = fc.oneof(
  fc.constantFrom(
    "limit",
    "cursor",
    "status",
    "updated_since",
    "email",
    "code",
    "sis_id",
    "Limit",
    "limit[]",
    "__proto__",
  ),
  weirdString,
);
const queryValue = fc.oneof(
  fc.constantFrom(
    "1",
    "20",
    "100",
    "101",
    "0",
    "-1",
    "1.0",
    "abc",
    "active",
    "waitlisted",
    "dropped",
    "all",
    "ALL",
    "pending",
    "succeeded",
    "failed",
    "WzFd",
    "WzJd",
    "W10",
    "e30",
    "bnVsbA",
    "WyJ4Il0",
  ),
  weirdString,
);

const base64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");

/** Times: real ones in several spellings, near misses (day 30 of February, hour 24) and junk. */
const timeValue = fc.oneof(
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc
    .date({ noInvalidDate: true, min: new Date(0) })
    .map((d) => d.toISOString().replace(".000Z", "+05:30")),
  fc
    .tuple(
      fc.integer({ min: 0, max: 99 }),
      fc.integer({ min: 0, max: 99 }),
      fc.integer({ min: 0, max: 99 }),
    )
    .map(
      ([a, b, c]) =>
        `2026-02-${String(a).padStart(2, "0")}T${String(b).padStart(2, "0")}:${String(c).padStart(2, "0")}:00Z`,
    ),
  fc.constantFrom(
    "",
    "2026-11-24",
    "2026-11-24T10:00:00",
    "2026-11-24 10:00:00Z",
    "+275760-09-13T00:00:00.000Z",
    "0000-01-01T00:00:00+01:00",
  ),
  queryValue,
);

const encodeJson = (value: unknown) =>
  base64url(new TextEncoder().encode(JSON.stringify(value) ?? ""));

/** Cursors: opaque-looking text, base64 of any JSON, and of near-valid change feed places (what a tampering client would send). */
const cursorValue = fc.oneof(
  fc.stringMatching(/^[A-Za-z0-9_-]{1,16}$/),
  anyJson.map(encodeJson),
  fc.tuple(timeValue, fc.oneof(id, fc.integer()), fc.oneof(id, fc.integer())).map(encodeJson),
  queryValue,
);

/** A query string: the known parameters with generated values, or any pairs, repeated, encoded or raw. */
export const query = fc.oneof(
  fc.constant(""),
  fc
    .record(
      {
        limit: queryValue,
        cursor: cursorValue,
        status: queryValue,
        updated_since: timeValue,
        email: fc.oneof(fc.emailAddress(), queryValue),
        code: queryValue,
        sis_id: fc.oneof(fc.constantFrom("SIS-DUP", "sis-dup"), queryValue),
      },
      { requiredKeys: [] },
    )
    .map((params) => `?${new URLSearchParams(params)}`),
  fc
    .array(fc.tuple(queryKey, queryValue), { maxLength: 4 })
    .map((pairs) => `?${new URLSearchParams(pairs)}`),
  fc.constantFrom("?", "?&&", "?limit", "?limit=", "?=1", "?limit=%ZZ", "?cursor=%00"),
);

export const method = fc.constantFrom("GET", "HEAD", "POST", "DELETE", "PUT", "PATCH", "OPTIONS");

/** Header values limited to what a Request accepts (no CR, LF or NUL; bytes up to 0xFF). */
const headerText = fc
  .string({ unit: "binary-ascii", maxLength: 80 })
  .map((s) => s.replace(/[\r\n\0]/g, "").trim());

export const authorization = fc.oneof(
  fc.constantFrom(
    `Bearer ${TEST_TOKENS.write}`,
    `Bearer ${TEST_TOKENS.read}`,
    `bearer ${TEST_TOKENS.rotated}`,
  ),
  fc.constantFrom(
    "Bearer",
    "Bearer ",
    "Basic dXNlcjpwYXNz",
    `Bearer ${TEST_TOKENS.write} extra`,
    `Bearer ${TEST_TOKENS.write}, Bearer x`,
    "x".repeat(5000),
  ),
  headerText,
  fc.constant(undefined),
);

export const contentType = fc.oneof(
  fc.constantFrom(
    "application/json",
    "application/json; charset=utf-8",
    "APPLICATION/JSON",
    "application/json;charset=latin1",
    "text/plain",
    "application/merge-patch+json",
    "multipart/form-data; boundary=x",
  ),
  headerText,
  fc.constant(undefined),
);

/** If-Match: current, stale, weak, listed, of an older shape revision, starred, unquoted or junk. */
export const ifMatch = fc.oneof(
  fc.constantFrom(
    '"r3.1"',
    '"r3.2"',
    '"r3.9"',
    'W/"r3.1"',
    '"r3.1", "r3.2"',
    '"1"',
    '"r1.1"',
    "*",
    "1",
    '"x"',
    '"1"junk',
    "",
  ),
  headerText,
);

/** Idempotency-Key: a few reused keys (so that retries and reuses happen), edge lengths, or junk. */
export const idempotencyKey = fc.oneof(
  fc.constantFrom("k1", "k2", '"k3"', "x".repeat(255), "x".repeat(256), ""),
  headerText,
);

export const extraHeaders = fc.record(
  {
    "If-Match": ifMatch,
    "Idempotency-Key": idempotencyKey,
    Origin: fc.oneof(fc.constantFrom("https://evil.example", "null"), headerText),
    "X-Request-Id": headerText,
    "CF-Connecting-IP": fc.constantFrom("203.0.113.9", "::1", "not-an-ip"),
    Accept: headerText,
  },
  { requiredKeys: [] },
);
