import { afterAll, expect } from "vitest";
import * as z from "zod/mini";
import { TEST_TOKENS } from "./tokens";

// Setup for every test file: captures every console call of the file, the Worker's and the
// tests' own, and checks each afterwards. A line must be one plain object of a known shape,
// whose fields cannot carry a name, an email, a token, a header, a body or an IP address.

const METHODS = ["log", "info", "warn", "error", "debug", "trace", "dir", "table"] as const;
// Kept on the global, so that every evaluation of this file in one isolate shares one record:
// the console is wrapped once, and `checked` lines were checked by an earlier test file.
type Capture = { captured: unknown[][]; checked: number };
const globals = globalThis as unknown as { [key: symbol]: Capture | undefined };
const KEY = Symbol.for("log-hygiene");
const record: Capture = globals[KEY] ?? installCapture();

function installCapture(): Capture {
  const fresh: Capture = { captured: [], checked: 0 };
  globals[KEY] = fresh;
  for (const method of METHODS) {
    const original = console[method].bind(console);
    // Tests may still spy on (and restore) these wrappers.
    console[method] = (...args: unknown[]) => {
      fresh.captured.push(args);
      original(...args);
    };
  }
  return fresh;
}

const id = z.int();
const requestId = z
  .string()
  .check(z.regex(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/));
const method = z.enum(["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "other"]);
const EVENTS = [
  ...["created", "updated", "deleted"].flatMap((verb) => [`student.${verb}`, `course.${verb}`]),
  ...["created", "reactivated", "waitlisted", "unchanged", "dropped", "bulk"].map(
    (verb) => `enrollment.${verb}`,
  ),
  "webhook.delivery_retried",
];
const FIELD = "(name|email|code|title|capacity|waitlist_capacity|sis_id)";
const FIELD_NAMES = new RegExp(`^${FIELD}(,${FIELD})*$`);
const ID_LIST = /^[1-9][0-9]*(,[1-9][0-9]*)*$/;

const logLine = z.union([
  // The one line of each request, with its domain event when it wrote (ids only).
  z.strictObject({
    level: z.literal("info"),
    message: z.literal("request"),
    request_id: requestId,
    method,
    // A route pattern from the app's own table, never the URL.
    route: z.nullable(z.string().check(z.regex(/^(\/([a-z.]+|:[a-z_]+))+$/))),
    status: z.int(),
    duration_ms: z.number(),
    row_count: z.optional(z.int()),
    student_id: z.optional(id),
    course_id: z.optional(id),
    // A create answered from its Idempotency-Key (the key itself is never logged).
    replayed: z.optional(z.literal(true)),
    event: z.optional(z.enum(EVENTS)),
    // An update names the fields it changed, never their values.
    fields: z.optional(z.string().check(z.regex(FIELD_NAMES))),
    // A bulk enroll: the courses of each result.
    created_course_ids: z.optional(z.string().check(z.regex(ID_LIST))),
    reactivated_course_ids: z.optional(z.string().check(z.regex(ID_LIST))),
    unchanged_course_ids: z.optional(z.string().check(z.regex(ID_LIST))),
    waitlisted_course_ids: z.optional(z.string().check(z.regex(ID_LIST))),
    // A drop or a raised capacity that gave seats to the head of the course's line.
    side_event: z.optional(z.literal("enrollment.promoted")),
    promoted_student_id: z.optional(id),
    // An update whose raised capacity gave seats to the line.
    promoted_student_ids: z.optional(z.string().check(z.regex(ID_LIST))),
    // A webhook subscription's routes: its id, never its URL or secret.
    webhook_id: z.optional(id),
    delivery_id: z.optional(id),
    import_id: z.optional(id),
  }),
  // An import's state changes and chunks: ids and counts, never a row's content.
  z.strictObject({
    level: z.literal("info"),
    message: z.enum([
      "import.queued",
      "import.started",
      "import.chunk",
      "import.succeeded",
      "import.failed",
    ]),
    import_id: id,
    type: z.optional(z.enum(["students", "courses", "enrollments"])),
    rows: z.optional(z.int()),
    refused: z.optional(z.int()),
  }),
  // The webhook dispatcher: how many deliveries it handed to the queue.
  z.strictObject({
    level: z.literal("info"),
    message: z.literal("webhook.dispatch"),
    cron: z.optional(z.string()),
    queued: z.int(),
  }),
  // One per delivery attempt: ids, the receiver's status and the outcome; never its URL.
  z.strictObject({
    level: z.literal("info"),
    message: z.literal("webhook.delivery"),
    subscription_id: id,
    event_id: z.string().check(z.regex(/^evt_[0-9a-f]{24}$/)),
    delivery_id: id,
    attempt: z.int(),
    status: z.nullable(z.int()),
    error: z.nullable(z.enum(["timeout", "network"])),
    outcome: z.enum(["succeeded", "retry", "failed", "gone", "skipped"]),
  }),
  z.strictObject({
    level: z.literal("info"),
    message: z.literal("webhook.dead_letters"),
    deliveries: z.int(),
  }),
  z.strictObject({
    level: z.literal("error"),
    message: z.enum(["webhook batch failed", "webhook dead letters failed"]),
    queue: z.optional(z.string()),
    messages: z.int(),
    error: z.strictObject({ name: z.string(), message: z.string(), stack: z.optional(z.string()) }),
  }),
  // The Cron Trigger's clean-up of expired Idempotency-Keys.
  z.strictObject({
    level: z.literal("info"),
    message: z.enum(["idempotency_keys.expired", "webhook_events.expired"]),
    cron: z.string(),
    deleted: z.int(),
  }),
  z.strictObject({
    level: z.literal("error"),
    message: z.literal("scheduled run failed"),
    cron: z.string(),
    error: z.strictObject({ name: z.string(), message: z.string(), stack: z.optional(z.string()) }),
  }),
  z.strictObject({
    level: z.literal("error"),
    message: z.enum(["unhandled error", "database unavailable"]),
    request_id: requestId,
    method,
    error: z.strictObject({ name: z.string(), message: z.string(), stack: z.optional(z.string()) }),
  }),
]);

// Whatever the shape, no text in a log may look like these.
const FORBIDDEN = [
  /[^\s@"]+@[^\s@"]+\.[a-z]{2,}/i, // an email address
  /\bbearer\b/i,
  /\bauthorization\b/i,
  /\b\d{1,3}(\.\d{1,3}){3}\b/, // an IPv4 address
  /\b([0-9a-f]{1,4}:){3,7}[0-9a-f]{1,4}\b/i, // an IPv6 address
  /\b(Student|Course) \d+\b/, // the names and titles test/helpers/api.ts gives its fixtures
  /\bhttps?:\/\//i, // a URL: a webhook's may hold its receiver's token
  /whsec_/, // a webhook signing secret
  ...Object.values(TEST_TOKENS).map((token) => new RegExp(token)),
];

afterAll(() => {
  const lines = record.captured.slice(record.checked);
  record.checked = record.captured.length;
  for (const args of lines) {
    expect(args, "one object per log call").toHaveLength(1);
    const [line] = args;
    expect(Object.getPrototypeOf(line), "a plain object").toBe(Object.prototype);
    const result = logLine.safeParse(line);
    expect(result.success, `a known log shape: ${JSON.stringify(line)}`).toBe(true);
    const text = JSON.stringify(line);
    for (const pattern of FORBIDDEN) expect(text, `no match for ${pattern}`).not.toMatch(pattern);
  }
});
