import type { FieldError } from "./problem-body";

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
  webhook_not_found: { status: 404, title: "Webhook not found" },
  delivery_not_found: { status: 404, title: "Delivery not found" },
  import_not_found: { status: 404, title: "Import not found" },
  method_not_allowed: { status: 405, title: "Method not allowed" },
  email_taken: { status: 409, title: "Email already taken" },
  code_taken: { status: 409, title: "Course code already taken" },
  sis_id_taken: { status: 409, title: "SIS id already taken" },
  course_full: { status: 409, title: "Course full" },
  delivery_not_failed: { status: 409, title: "Delivery not failed" },
  webhook_disabled: { status: 409, title: "Webhook disabled" },
  precondition_failed: { status: 412, title: "Precondition failed" },
  length_required: { status: 411, title: "Length required" },
  payload_too_large: { status: 413, title: "Payload too large" },
  unsupported_media_type: { status: 415, title: "Unsupported media type" },
  idempotency_key_reused: { status: 422, title: "Idempotency key reused" },
  rate_limited: { status: 429, title: "Too many requests" },
  internal_error: { status: 500, title: "Internal error" },
  service_unavailable: { status: 503, title: "Service unavailable" },
} as const;

export type ProblemCode = keyof typeof PROBLEMS;

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

// Every problem the API answers with, one factory each, so that its wording lives in one place.

// 400
export const invalidRequest = (part: string, errors: FieldError[]) =>
  new Problem("validation_failed", `The request ${part} is not valid.`, { errors });
export const invalidHeader = (name: string, message: string) =>
  new Problem("validation_failed", `The ${name} header is not valid.`, {
    errors: [{ path: `header.${name}`, message }],
  });
export const invalidJson = (detail = "The request body is not valid JSON.") =>
  new Problem("invalid_json", detail);

// 401, 403
const WWW_AUTHENTICATE = 'Bearer realm="enrollment-api"';
/** `sent`: the Authorization header as sent, if any; `wellFormed`: it was `Bearer <token>`. */
export function unauthorized(sent: string | undefined, wellFormed: boolean) {
  const detail =
    sent === undefined
      ? "Send a token in an `Authorization: Bearer <token>` header."
      : wellFormed
        ? "The bearer token is not valid."
        : "The Authorization header must be `Bearer <token>`.";
  const challenge =
    sent === undefined ? WWW_AUTHENTICATE : `${WWW_AUTHENTICATE}, error="invalid_token"`;
  return new Problem("unauthorized", detail, { headers: { "WWW-Authenticate": challenge } });
}
const SCOPE_NEEDED = {
  write: "This token may only read; writing needs a read-write token.",
  webhooks:
    "Webhook subscriptions need a read-write token, even to read: a webhook's URL can hold its receiver's credentials.",
};
export const insufficientScope = (needed: keyof typeof SCOPE_NEEDED) =>
  new Problem("insufficient_scope", SCOPE_NEEDED[needed], {
    headers: { "WWW-Authenticate": `${WWW_AUTHENTICATE}, error="insufficient_scope"` },
  });

// 404, 405
export const notFoundAt = (path: string) =>
  new Problem("not_found", `No resource lives at ${path}.`);
export const studentNotFound = (id: number) =>
  new Problem("student_not_found", `No student has id ${id}.`);
export const courseNotFound = (id: number) =>
  new Problem("course_not_found", `No course has id ${id}.`);
/** A bulk enroll naming missing courses: each is pointed at in `errors`, and nothing was enrolled. */
export const coursesNotFound = (sent: number[], missing: number[]) =>
  new Problem("course_not_found", `No course has id ${missing.join(", ")}; nothing was enrolled.`, {
    errors: missing.map((courseId) => ({
      path: `body.course_ids.${sent.indexOf(courseId)}`,
      message: "no course has this id",
    })),
  });
/** Courses whose seats and waitlist are all taken: each is pointed at, and nothing was enrolled. */
export const coursesFull = (sent: number[], full: number[], path = "body.course_ids") =>
  new Problem(
    "course_full",
    full.length === 1
      ? `Course ${full[0]} has no free seat and no room on its waitlist; nothing was enrolled.`
      : `Courses ${full.join(", ")} have no free seat and no room on their waitlists; nothing was enrolled.`,
    {
      errors: full.map((courseId) => ({
        path: path === "body.course_ids" ? `${path}.${sent.indexOf(courseId)}` : path,
        message: "has no free seat and no room on its waitlist",
      })),
    },
  );
/** `state`: " active" when only an active enrollment would do. */
export const enrollmentNotFound = (studentId: number, courseId: number, state = "") =>
  new Problem(
    "enrollment_not_found",
    `Student ${studentId} has no${state} enrollment in course ${courseId}.`,
  );
export const importNotFound = (id: number) =>
  new Problem("import_not_found", `No import has id ${id}.`);
export const webhookNotFound = (id: number) =>
  new Problem("webhook_not_found", `No webhook subscription has id ${id}.`);
export const deliveryNotFound = (webhookId: number, deliveryId: number) =>
  new Problem(
    "delivery_not_found",
    `Webhook subscription ${webhookId} has no delivery with id ${deliveryId}.`,
  );
export const methodNotAllowed = (method: string, allow: string[]) =>
  new Problem("method_not_allowed", `${method} is not allowed here; use ${allow.join(", ")}.`, {
    headers: { Allow: allow.join(", ") },
  });

// 409, 412
export const emailTaken = () =>
  new Problem("email_taken", "A student with this email already exists.");
export const codeTaken = () => new Problem("code_taken", "A course with this code already exists.");
export const sisIdTaken = (resource: "student" | "course") =>
  new Problem("sis_id_taken", `A ${resource} with this SIS id already exists.`);
export const deliveryNotFailed = (deliveryId: number) =>
  new Problem(
    "delivery_not_failed",
    `Delivery ${deliveryId} has not failed: it is still being attempted, or it succeeded.`,
  );
export const webhookDisabled = (id: number) =>
  new Problem(
    "webhook_disabled",
    `Webhook subscription ${id} is disabled, so nothing would be sent: enable it (PATCH {"enabled": true}), then retry.`,
  );
export const preconditionFailed = () =>
  new Problem(
    "precondition_failed",
    "If-Match names no current version: it changed since you read it. Nothing was changed; read it again, then retry.",
  );

// 413, 415, 422
export const payloadTooLarge = (max: number) =>
  new Problem("payload_too_large", `The request body exceeds ${max} bytes.`);
export const unsupportedMediaType = (mediaType = "application/json") =>
  new Problem(
    "unsupported_media_type",
    mediaType === "text/csv"
      ? "Send the file as CSV with `Content-Type: text/csv`."
      : "Send the body as JSON with `Content-Type: application/json`.",
  );
export const lengthRequired = () =>
  new Problem(
    "length_required",
    "Send the file with a Content-Length header: it is stored as it arrives, and its length is needed first.",
  );
export const idempotencyKeyReused = () =>
  new Problem(
    "idempotency_key_reused",
    "This Idempotency-Key was used in the last 24 hours for a different request. Nothing was created; use a new key for a new request.",
  );

// 429
export function rateLimited(limit: number, period: number, reset: number) {
  return new Problem(
    "rate_limited",
    `More than ${limit} requests in ${period} seconds. Retry after ${reset} seconds.`,
    {
      headers: {
        "Retry-After": String(reset),
        "RateLimit-Limit": String(limit),
        "RateLimit-Remaining": "0",
        "RateLimit-Reset": String(reset),
        "RateLimit-Policy": `${limit};w=${period}`,
      },
    },
  );
}

// 500, 503
export const internalError = () =>
  new Problem(
    "internal_error",
    "Something went wrong on our side. Quote the request id when you report it.",
  );
export const serviceUnavailable = (retryAfterSeconds: number) =>
  new Problem(
    "service_unavailable",
    "The database is briefly unavailable. Retry after the time in Retry-After.",
    { headers: { "Retry-After": String(retryAfterSeconds) } },
  );
