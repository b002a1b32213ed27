import type { Context } from "hono";
import * as z from "zod/mini";

/** Every error the API can answer with: its stable `code`, HTTP status and title (RFC 9457). */
export const PROBLEMS = {
  validation_failed: { status: 400, title: "Validation failed" },
  invalid_json: { status: 400, title: "Malformed JSON" },
  unauthorized: { status: 401, title: "Unauthorized" },
  insufficient_scope: { status: 403, title: "Insufficient scope" },
  not_found: { status: 404, title: "Not found" },
  student_not_found: { status: 404, title: "Student not found" },
  course_not_found: { status: 404, title: "Course not found" },
  enrollment_not_found: { status: 404, title: "Enrollment not found" },
  method_not_allowed: { status: 405, title: "Method not allowed" },
  email_taken: { status: 409, title: "Email already taken" },
  code_taken: { status: 409, title: "Course code already taken" },
  precondition_failed: { status: 412, title: "Precondition failed" },
  payload_too_large: { status: 413, title: "Payload too large" },
  unsupported_media_type: { status: 415, title: "Unsupported media type" },
  idempotency_key_reused: { status: 422, title: "Idempotency key reused" },
  rate_limited: { status: 429, title: "Too many requests" },
  internal_error: { status: 500, title: "Internal error" },
  service_unavailable: { status: 503, title: "Service unavailable" },
} as const;

export type ProblemCode = keyof typeof PROBLEMS;

const fieldError = z.strictObject({ path: z.string(), message: z.string() });
export type FieldError = z.output<typeof fieldError>;

/** The body of every error answer (RFC 9457 plus `code`, `request_id` and field errors). */
export const problemBody = z.strictObject({
  type: z.string(),
  title: z.string(),
  status: z.int(),
  detail: z.string(),
  code: z.enum(Object.keys(PROBLEMS) as [ProblemCode, ...ProblemCode[]]),
  request_id: z.string(),
  errors: z.optional(z.array(fieldError)),
});

type ProblemOptions = { errors?: FieldError[]; headers?: Record<string, string> };

/** Thrown anywhere in a request; `onError` turns it into an application/problem+json response. */
export class Problem extends Error {
  readonly status: (typeof PROBLEMS)[ProblemCode]["status"];

  constructor(
    readonly code: ProblemCode,
    readonly detail: string,
    readonly options: ProblemOptions = {},
  ) {
    super(detail);
    this.status = PROBLEMS[code].status;
  }
}

export const studentNotFound = (id: number) =>
  new Problem("student_not_found", `No student has id ${id}.`);
export const courseNotFound = (id: number) =>
  new Problem("course_not_found", `No course has id ${id}.`);
export const preconditionFailed = () =>
  new Problem(
    "precondition_failed",
    "If-Match names no current version: it changed since you read it. Nothing was changed; read it again, then retry.",
  );

/** The problem type URI: a tag URI (RFC 4151), a stable name that is not meant to be fetched. */
const problemType = (code: ProblemCode) => `tag:enrollment-api,2026:problems/${code}`;

export function problemResponse(c: Context, problem: Problem): Response {
  const { code, detail, status, options } = problem;
  const body: z.output<typeof problemBody> = {
    type: problemType(code),
    title: PROBLEMS[code].title,
    status,
    detail,
    code,
    request_id: c.get("requestId"),
    ...(options.errors && { errors: options.errors }),
  };
  // c.body keeps the headers set earlier in the request (X-Request-Id among them).
  return c.body(JSON.stringify(body), status, {
    ...options.headers,
    "Content-Type": "application/problem+json",
  });
}
