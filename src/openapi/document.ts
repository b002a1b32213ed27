import * as z from "zod/mini";
import { course } from "../courses/responses";
import { courseListQuery, createCourseBody, updateCourseBody } from "../courses/schemas";
import {
  bulkEnrollment,
  changesPage,
  enrollment,
  enrollmentChange,
  rosterEntry,
} from "../enrollments/responses";
import { changesQuery } from "../enrollments/schemas";
import { IDEMPOTENCY_KEY, MAX_IDEMPOTENCY_KEY_LENGTH } from "../http/idempotency";
import { IF_MATCH_PATTERN } from "../http/preconditions";
import { problemBody } from "../http/problem-body";
import { PROBLEMS, type ProblemCode } from "../http/problems";
import { importRecord } from "../imports/responses";
import { importQuery } from "../imports/schemas";
import { idPageQuery } from "../lib/pagination";
import { sisIdSchema } from "../lib/sis-id";
import { TEXT_PATTERN, trimmedPattern } from "../lib/text";
import { BOOKMARK } from "../middleware/d1-session";
import { student } from "../students/responses";
import { createStudentBody, studentListQuery, updateStudentBody } from "../students/schemas";
import { delivery, eventPayload, webhook } from "../webhooks/responses";
import { createWebhookBody, webhookDescription } from "../webhooks/schemas";
import { OPERATIONS, type Operation } from "./operations";

// Builds the OpenAPI 3.1 document from OPERATIONS and the zod schemas. Only tests import
// this: test/routes/openapi.test.ts keeps public/openapi.json equal to its output, and Static Assets
// serve that file, so neither the converter nor the document adds to the Worker's bundle.

type JsonSchema = { [key: string]: unknown };

/** Shapes given a name in components.schemas, and referred to by it wherever they appear. */
const NAMED = new Map<z.core.$ZodType, string>([
  [student, "Student"],
  [course, "Course"],
  [enrollment, "Enrollment"],
  [rosterEntry, "RosterEntry"],
  [bulkEnrollment, "BulkEnrollment"],
  [enrollmentChange, "EnrollmentChange"],
  [changesPage, "ChangesPage"],
  [problemBody, "Problem"],
  [webhook, "Webhook"],
  [delivery, "WebhookDelivery"],
  [eventPayload, "WebhookEvent"],
  [importRecord, "Import"],
]);

// What JSON Schema cannot say about a field (the app trims, normalises and transforms before
// checking), said in words; and a default that a transform hides from the generator.
const TEXT =
  "Trimmed and NFC-normalised first; the length limits apply to the result, in UTF-16 code units (maxLength counts the text as sent, in code points). The pattern refuses what it can: control characters, U+2028 and U+2029, the bidirectional overrides and isolates (U+202A to U+202E, U+2066 to U+2069), and whitespace alone. A lone surrogate is refused too.";
const CURSOR =
  "Only the next_cursor of an earlier answer, sent back as it was, is a cursor: any other value, even one the pattern allows, is a 400.";
const WEBHOOK_URL =
  "Surrounding whitespace is trimmed. https only (http only to 127.0.0.1, localhost or [::1], where the deployment allows local receivers: never in production); no user name or password. Refused hosts: localhost, names without a dot or ending in .localhost, .local, .internal or .home.arpa, and IP addresses in a loopback, private, link-local (cloud metadata), CGNAT, multicast or reserved range, however written. Redirects from it are not followed.";
const SIS_ID =
  "The school's own id (its student information system's), compared exactly, case included. Trimmed and NFC-normalised first; the length limit applies to the result, in UTF-16 code units. The pattern refuses control characters, U+2028 and U+2029, the bidirectional overrides and isolates, and whitespace alone.";
const NOTES = new Map<z.core.$ZodType, JsonSchema>([
  [sisIdSchema(), { description: SIS_ID, pattern: TEXT_PATTERN }],
  [
    importQuery().shape.mode,
    {
      description:
        "upsert (the default) applies the file's rows; sync, for enrollments only (a 400 on query.mode otherwise), also drops the enrollments of the file's courses that the file does not list.",
    },
  ],
  [
    importQuery().shape.max_drop_percent,
    {
      description:
        "A sync fails before changing anything when it would drop more than this share of the enrollments of the file's courses.",
      default: "10",
    },
  ],
  [createWebhookBody().shape.url, { description: WEBHOOK_URL }],
  [webhookDescription(), { description: TEXT, pattern: TEXT_PATTERN }],
  [createStudentBody().shape.name, { description: TEXT, pattern: TEXT_PATTERN }],
  [
    createStudentBody().shape.email,
    {
      description:
        "Surrounding whitespace is trimmed (the pattern allows it), and at most 254 characters remain; stored lower-cased, unique regardless of case.",
    },
  ],
  [
    createCourseBody().shape.code,
    {
      description:
        "Surrounding whitespace is trimmed (the pattern allows it); stored upper-cased, unique regardless of case.",
    },
  ],
  [createCourseBody().shape.title, { description: TEXT, pattern: TEXT_PATTERN }],
  [updateStudentBody(), { minProperties: 1 }],
  [updateCourseBody(), { minProperties: 1 }],
  [
    studentListQuery().shape.email,
    {
      description:
        "Only the student with this email, compared in any case: zero or one item. Surrounding whitespace is trimmed (the pattern allows it), and at most 254 characters remain.",
    },
  ],
  [
    studentListQuery().shape.sis_id,
    {
      description:
        "Only the student with this SIS id (trimmed and NFC-normalised, then compared exactly): zero or one item.",
    },
  ],
  [
    courseListQuery().shape.sis_id,
    {
      description:
        "Only the course with this SIS id (trimmed and NFC-normalised, then compared exactly): zero or one item.",
    },
  ],
  [
    courseListQuery().shape.code,
    {
      description:
        "Only the course with this code, compared in any case: zero or one item. Surrounding whitespace is trimmed (the pattern allows it).",
    },
  ],
  [idPageQuery().shape.limit, { description: "1 to 100.", default: "20" }],
  [idPageQuery().shape.cursor, { description: `The next_cursor of the previous page. ${CURSOR}` }],
  [
    changesQuery().shape.updated_since,
    {
      description:
        "Changes at or after this time: an RFC 3339 date-time with an upper-case T and Z, seconds, and up to 9 digits of fraction, e.g. 2026-11-24T10:00:00Z (a + sent as %2B). The pattern allows real dates and times only (29 February in leap years alone); of what it allows, a time whose offset moves it out of years 0000 to 9999 in UTC (on 0000-01-01 with a + offset, or 9999-12-31 with a - offset) is refused. Without it and a cursor: from the first change.",
      format: "date-time",
    },
  ],
  [
    changesQuery().shape.cursor,
    {
      description: `The next_cursor of an earlier page. With updated_since, the later of the two applies. ${CURSOR}`,
    },
  ],
  [changesQuery().shape.limit, { description: "1 to 1000.", default: "100" }],
]);

/**
 * Fields trimmed before their pattern (and length) are checked: the document shows the pattern
 * with the whitespace around it allowed, and the length limit inside it (maxLength would
 * count the whitespace too).
 */
const TRIMMED = new Set<z.core.$ZodType>([
  createStudentBody().shape.email,
  createCourseBody().shape.code,
  createWebhookBody().shape.url,
]);

function allowSurroundingWhitespace(generated: JsonSchema) {
  const { pattern, maxLength } = generated as { pattern?: string; maxLength?: number };
  if (pattern === undefined) throw new Error("a trimmed field without a pattern");
  generated.pattern = trimmedPattern(new RegExp(pattern), maxLength).source;
  delete generated.maxLength;
}

/** A schema in JSON Schema; a named shape inside it becomes a reference to its component. */
function convert(schema: z.ZodMiniType, io: "input" | "output"): JsonSchema {
  const { $schema: _, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: "any",
    override: ({ zodSchema, jsonSchema: generated, path }) => {
      if (TRIMMED.has(zodSchema)) allowSurroundingWhitespace(generated as JsonSchema);
      Object.assign(generated, NOTES.get(zodSchema));
      const name = NAMED.get(zodSchema);
      if (!name || path.length === 0) return;
      for (const key of Object.keys(generated)) delete (generated as JsonSchema)[key];
      Object.assign(generated, ref(name));
    },
  }) as JsonSchema;
  return rest;
}

/** A schema where it is used: a named shape is a reference to its component. */
const jsonSchema = (schema: z.ZodMiniType, io: "input" | "output"): JsonSchema => {
  const name = NAMED.get(schema);
  return name ? ref(name) : convert(schema, io);
};

const ref = (name: string, kind = "schemas") => ({ $ref: `#/components/${kind}/${name}` });

const HEADERS = {
  RequestId: {
    description: "This request's id, also in the logs and in error bodies.",
    schema: { type: "string" },
  },
  Location: { description: "The new resource's path.", schema: { type: "string" } },
  RetryAfter: { description: "Seconds to wait before retrying.", schema: { type: "integer" } },
  WWWAuthenticate: {
    description: '`Bearer realm="enrollment-api"`, with `error` when a token was sent.',
    schema: { type: "string" },
  },
  Bookmark: {
    description:
      "The D1 session bookmark after this request; send it back in X-D1-Bookmark to read at least this state on any replica.",
    schema: { type: "string" },
  },
  ETag: {
    description:
      "A strong tag: a student's or course's version, after its JSON shape's revision (\"r1.3\": version 3), or a hash of a list's body. Send it back in If-None-Match to revalidate; a student's or course's also in If-Match to update or delete.",
    schema: { type: "string" },
  },
  IdempotentReplayed: {
    description:
      "`true` when this is the answer to an earlier request with the same Idempotency-Key (its 201 or 409), replayed: nothing happened now.",
    required: false,
    schema: { type: "string", enum: ["true"] },
  },
  RateLimitLimit: { description: "Requests allowed in each window.", schema: { type: "integer" } },
  RateLimitRemaining: {
    description: "Requests left in this window (0 on a 429).",
    schema: { type: "integer" },
  },
  RateLimitReset: { description: "Seconds until the window ends.", schema: { type: "integer" } },
  RateLimitPolicy: {
    description: "The limit and window, as `<limit>;w=<seconds>`.",
    schema: { type: "string" },
  },
};
const REQUEST_ID = { "X-Request-Id": ref("RequestId", "headers") };

function parameters(schema: z.ZodMiniObject, where: "path" | "query") {
  const { properties = {}, required = [] } = jsonSchema(schema, "input") as {
    properties?: Record<string, JsonSchema>;
    required?: string[];
  };
  return Object.entries(properties).map(([name, property]) => ({
    name,
    in: where,
    required: where === "path" || required.includes(name),
    schema: property,
  }));
}

const BOOKMARK_PARAMETER = {
  name: "X-D1-Bookmark",
  in: "header",
  required: false,
  description:
    "A bookmark from an earlier answer: this request reads at least what that answer saw (read-your-writes on any replica).",
  schema: { type: "string", pattern: BOOKMARK.source },
};

const IDEMPOTENCY_KEY_PARAMETER = {
  name: "Idempotency-Key",
  in: "header",
  required: false,
  description:
    "A key of your choosing (a UUID, say) that makes retrying this create safe: for 24 hours, a request with the same key and body from the same token gets the first answer again (marked Idempotent-Replayed) and creates nothing; the same key with another body is a 422 idempotency_key_reused. 1 to 255 printable ASCII characters; spaces inside it, none around it (HTTP drops those).",
  schema: {
    type: "string",
    minLength: 1,
    maxLength: MAX_IDEMPOTENCY_KEY_LENGTH,
    pattern: IDEMPOTENCY_KEY.source,
  },
};

const IF_MATCH_PARAMETER = {
  name: "If-Match",
  in: "header",
  required: false,
  description:
    "The ETag of the version you read: *, or 1 to 100 entity-tags separated by commas (RFC 9110; empty list elements allowed, W/ tags count as their strong ones). If none is current: 412 precondition_failed, nothing changed. Without it the request applies whatever the version; an empty If-Match never reaches the Worker, so it counts as none.",
  schema: { type: "string", pattern: IF_MATCH_PATTERN },
};

/** The error codes an operation can answer with: those of every route of its kind, and its own. */
function problemsOf(op: Operation): ProblemCode[] {
  if (op.open) return [];
  // validation_failed: every route behind a token checks X-D1-Bookmark.
  const codes: ProblemCode[] = [
    "unauthorized",
    "rate_limited",
    "validation_failed",
    "internal_error",
    "service_unavailable",
  ];
  if (op.method !== "get") codes.push("insufficient_scope");
  if (op.body) codes.push("invalid_json", "payload_too_large", "unsupported_media_type");
  if (op.csvBody) codes.push("payload_too_large", "unsupported_media_type");
  return [...new Set([...codes, ...(op.problems ?? [])])];
}

/** `replayable`: a create with an Idempotency-Key, whose 409 a retry gets again. */
function problemResponses(codes: ProblemCode[], replayable = false) {
  const byStatus = new Map<number, ProblemCode[]>();
  for (const code of codes)
    byStatus.set(PROBLEMS[code].status, [...(byStatus.get(PROBLEMS[code].status) ?? []), code]);
  return Object.fromEntries(
    [...byStatus].map(([status, group]) => [
      status,
      {
        description: group.map((code) => `\`${code}\`: ${PROBLEMS[code].title}`).join("; "),
        headers: {
          ...REQUEST_ID,
          ...((status === 401 || status === 403) && {
            "WWW-Authenticate": ref("WWWAuthenticate", "headers"),
          }),
          ...(status === 429 && {
            "RateLimit-Limit": ref("RateLimitLimit", "headers"),
            "RateLimit-Remaining": ref("RateLimitRemaining", "headers"),
            "RateLimit-Reset": ref("RateLimitReset", "headers"),
            "RateLimit-Policy": ref("RateLimitPolicy", "headers"),
          }),
          ...((status === 429 || status === 503) && {
            "Retry-After": ref("RetryAfter", "headers"),
          }),
          ...(replayable &&
            status === 409 && { "Idempotent-Replayed": ref("IdempotentReplayed", "headers") }),
        },
        content: {
          "application/problem+json": {
            schema: { allOf: [ref("Problem"), { properties: { code: { enum: group } } }] },
          },
        },
      },
    ]),
  );
}

/** What a subscription's URL receives (docs/webhooks.md): one POST per event. */
const WEBHOOKS = {
  event: {
    post: {
      summary: "An event, delivered to a subscribed URL",
      description:
        "Signed per Standard Webhooks: verify webhook-signature (one or more space-separated `v1,<base64>` HMAC-SHA256 signatures of `{webhook-id}.{webhook-timestamp}.{body}`) with the subscription's secret before trusting the body. Retried until a 2xx, with the same webhook-id: deduplicate on it.",
      parameters: [
        ["webhook-id", "The event's id: the same on every attempt and for every subscription."],
        ["webhook-timestamp", "When this attempt was signed, in Unix seconds."],
        ["webhook-signature", "`v1,<base64>` signatures, space-separated."],
      ].map(([name, description]) => ({
        name,
        in: "header",
        required: true,
        description,
        schema: { type: "string" },
      })),
      requestBody: {
        required: true,
        content: { "application/json": { schema: ref("WebhookEvent") } },
      },
      responses: {
        "2XX": {
          description:
            "Received. Any other answer is retried, but 410, which disables the subscription.",
        },
      },
    },
  },
};

/** `get /students/{id}/courses` → getStudentsByIdCourses */
function operationId(op: Operation): string {
  const camel = (word: string) =>
    word.replace(/(?:^|[_.])(\w)/g, (_, c: string) => c.toUpperCase());
  const words = op.path
    .split("/")
    .filter(Boolean)
    .map((part) => (part.startsWith("{") ? `By${camel(part.slice(1, -1))}` : camel(part)));
  return op.method + words.join("");
}

function operation(op: Operation) {
  // A create that can refuse a reused key is one that takes an Idempotency-Key.
  const idempotent = op.problems?.includes("idempotency_key_reused") ?? false;
  // Every read behind a token answers conditional requests (hono/etag in src/index.ts).
  const conditional = op.method === "get" && !op.open;
  return {
    operationId: operationId(op),
    summary: op.summary,
    tags: [op.tag],
    ...(op.open && { security: [] }),
    parameters: [
      ...(op.params ? parameters(op.params(), "path") : []),
      ...(op.query ? parameters(op.query(), "query") : []),
      ...(conditional
        ? [
            {
              name: "If-None-Match",
              in: "header",
              required: false,
              description:
                "ETags the client holds; a current one, or *, gets a 304. Any other value is no error: the answer is the full one.",
              schema: { type: "string" },
            },
          ]
        : []),
      // A route that can refuse a stale version is one that checks If-Match.
      ...(op.problems?.includes("precondition_failed") ? [IF_MATCH_PARAMETER] : []),
      ...(idempotent ? [IDEMPOTENCY_KEY_PARAMETER] : []),
      ...(op.open ? [] : [BOOKMARK_PARAMETER]),
    ],
    ...(op.body && {
      requestBody: {
        required: true,
        content: { "application/json": { schema: jsonSchema(op.body(), "input") } },
      },
    }),
    ...(op.csvBody && {
      requestBody: {
        required: true,
        content: { "text/csv": { schema: { type: "string", description: op.csvBody } } },
      },
    }),
    responses: {
      ...Object.fromEntries(
        op.responses.map(
          ({ status, description, schema, mediaType = "application/json", location, etag }) => [
            status,
            {
              description,
              headers: {
                // A file of Static Assets never reaches the Worker, which sets the request id.
                ...(!op.asset && REQUEST_ID),
                ...(location && { Location: ref("Location", "headers") }),
                ...(idempotent && { "Idempotent-Replayed": ref("IdempotentReplayed", "headers") }),
                ...((conditional || etag) && { ETag: ref("ETag", "headers") }),
                ...(!op.open && { "X-D1-Bookmark": ref("Bookmark", "headers") }),
              },
              ...(schema && { content: { [mediaType]: { schema: jsonSchema(schema, "output") } } }),
            },
          ],
        ),
      ),
      ...(conditional && {
        304: {
          description: "Not modified: an If-None-Match tag is current. No body.",
          headers: {
            ...REQUEST_ID,
            ETag: ref("ETag", "headers"),
            "X-D1-Bookmark": ref("Bookmark", "headers"),
          },
        },
      }),
      ...problemResponses(problemsOf(op), idempotent),
    },
  };
}

export function buildOpenApiDocument() {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of OPERATIONS) paths[op.path] = { ...paths[op.path], [op.method]: operation(op) };
  return {
    openapi: "3.1.0",
    info: {
      title: "Enrollment API",
      version: "1.0.0",
      description:
        "Students, courses and enrollments at the edge. Errors are RFC 9457 problem documents; see docs/api.md.",
    },
    // Relative: the origin that serves this document, so /docs tries requests where it is hosted.
    servers: [{ url: "/", description: "The origin that serves this document" }],
    security: [{ bearer: [] }],
    tags: ["Service", "Students", "Courses", "Enrollments", "Webhooks", "Imports"].map((name) => ({
      name,
    })),
    paths,
    webhooks: WEBHOOKS,
    components: {
      securitySchemes: {
        bearer: {
          type: "http",
          scheme: "bearer",
          description: "API_TOKEN (read and write) or API_READ_TOKEN (read only).",
        },
      },
      headers: HEADERS,
      // Problem lists every error code, including those of no single route (not_found, method_not_allowed).
      schemas: Object.fromEntries(
        [...NAMED].map(([schema, name]) => [name, convert(schema as z.ZodMiniType, "output")]),
      ),
    },
  };
}
