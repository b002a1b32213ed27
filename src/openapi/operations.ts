import * as z from "zod/mini";
import { course } from "../courses/responses";
import { courseListQuery, createCourseBody, updateCourseBody } from "../courses/schemas";
import { bulkEnrollment, changesPage, enrollment, rosterEntry } from "../enrollments/responses";
import {
  changesQuery,
  enrollBody,
  enrollmentListQuery,
  enrollmentParams,
} from "../enrollments/schemas";
import { healthBody } from "../health";
import type { ProblemCode } from "../http/problems";
import { importRecord } from "../imports/responses";
import { importQuery } from "../imports/schemas";
import { idParams } from "../lib/ids";
import { idPageQuery, pageSchema } from "../lib/pagination";
import { student } from "../students/responses";
import { createStudentBody, studentListQuery, updateStudentBody } from "../students/schemas";
import { delivery, webhook, webhookWithSecret } from "../webhooks/responses";
import {
  createWebhookBody,
  deliveryListQuery,
  deliveryParams,
  updateWebhookBody,
} from "../webhooks/schemas";

/**
 * The API's operations: which routes exist, what each answers and with which error codes.
 * Every shape comes from the zod schemas the routes validate and answer with; a test keeps
 * this list equal to the app's routes.
 */
export type Operation = {
  method: "get" | "post" | "patch" | "delete";
  /** In OpenAPI form: /students/{id}. */
  path: string;
  summary: string;
  tag: "Service" | "Students" | "Courses" | "Enrollments" | "Webhooks" | "Imports";
  /** Served without a token. */
  open?: true;
  /** A file of public/, served by Static Assets before the Worker runs. */
  asset?: true;
  /** The schemas the route validates with, as lib/lazy.ts makes them. */
  params?: () => z.ZodMiniObject;
  query?: () => z.ZodMiniObject;
  body?: () => z.ZodMiniType;
  /** A CSV file as the body (`text/csv`), described in words. */
  csvBody?: string;
  responses: {
    status: 200 | 201 | 202 | 204;
    description: string;
    schema?: z.ZodMiniType;
    mediaType?: "text/html";
    location?: true;
    etag?: true;
  }[];
  /** Error codes of this operation beyond those every route of its kind has. */
  problems?: ProblemCode[];
};

export const OPERATIONS: Operation[] = [
  {
    method: "get",
    path: "/health",
    summary: "Health probe",
    tag: "Service",
    open: true,
    responses: [{ status: 200, description: "The Worker runs.", schema: healthBody() }],
  },
  {
    method: "get",
    path: "/openapi.json",
    summary: "This OpenAPI document",
    tag: "Service",
    open: true,
    asset: true,
    responses: [
      {
        status: 200,
        description: "The document.",
        schema: z.looseObject({
          openapi: z.literal("3.1.0"),
          paths: z.record(z.string(), z.unknown()),
        }),
      },
    ],
  },
  {
    method: "get",
    path: "/docs/",
    summary: "This API's interactive documentation (GET /docs redirects here)",
    tag: "Service",
    open: true,
    asset: true,
    responses: [
      {
        status: 200,
        description:
          "An HTML page (Swagger UI) that renders /openapi.json and tries requests with a pasted token.",
        schema: z.string(),
        mediaType: "text/html",
      },
    ],
  },

  {
    method: "post",
    path: "/students",
    summary: "Create a student",
    tag: "Students",
    body: createStudentBody,
    responses: [
      {
        status: 201,
        description:
          "Created (or, to a retry with the same Idempotency-Key, the first answer again); the ETag is its first version.",
        schema: student,
        location: true,
        etag: true,
      },
    ],
    problems: ["email_taken", "sis_id_taken", "idempotency_key_reused"],
  },
  {
    method: "get",
    path: "/students",
    summary: "List students, or find one by email",
    tag: "Students",
    query: studentListQuery,
    responses: [
      {
        status: 200,
        description: "A page, in id order; with email, the one student who has it, or none.",
        schema: pageSchema(student),
      },
    ],
  },
  {
    method: "get",
    path: "/students/{id}",
    summary: "Get a student",
    tag: "Students",
    params: idParams,
    responses: [{ status: 200, description: "The student.", schema: student }],
    problems: ["student_not_found"],
  },
  {
    method: "patch",
    path: "/students/{id}",
    summary: "Update a student's name or email",
    tag: "Students",
    params: idParams,
    body: updateStudentBody,
    responses: [
      {
        status: 200,
        description: "The student after the update; the ETag is its new version.",
        schema: student,
        etag: true,
      },
    ],
    problems: ["student_not_found", "email_taken", "sis_id_taken", "precondition_failed"],
  },
  {
    method: "delete",
    path: "/students/{id}",
    summary: "Delete a student and their enrollments",
    tag: "Students",
    params: idParams,
    responses: [{ status: 204, description: "Deleted." }],
    problems: ["student_not_found", "precondition_failed"],
  },

  {
    method: "post",
    path: "/courses",
    summary: "Create a course",
    tag: "Courses",
    body: createCourseBody,
    responses: [
      {
        status: 201,
        description:
          "Created (or, to a retry with the same Idempotency-Key, the first answer again); the ETag is its first version.",
        schema: course,
        location: true,
        etag: true,
      },
    ],
    problems: ["code_taken", "sis_id_taken", "idempotency_key_reused"],
  },
  {
    method: "get",
    path: "/courses",
    summary: "List courses, or find one by code",
    tag: "Courses",
    query: courseListQuery,
    responses: [
      {
        status: 200,
        description: "A page, in id order; with code, the one course that has it, or none.",
        schema: pageSchema(course),
      },
    ],
  },
  {
    method: "get",
    path: "/courses/{id}",
    summary: "Get a course",
    tag: "Courses",
    params: idParams,
    responses: [{ status: 200, description: "The course.", schema: course }],
    problems: ["course_not_found"],
  },
  {
    method: "patch",
    path: "/courses/{id}",
    summary: "Update a course's code or title",
    tag: "Courses",
    params: idParams,
    body: updateCourseBody,
    responses: [
      {
        status: 200,
        description: "The course after the update; the ETag is its new version.",
        schema: course,
        etag: true,
      },
    ],
    problems: ["course_not_found", "code_taken", "sis_id_taken", "precondition_failed"],
  },
  {
    method: "delete",
    path: "/courses/{id}",
    summary: "Delete a course and its enrollments",
    tag: "Courses",
    params: idParams,
    responses: [{ status: 204, description: "Deleted." }],
    problems: ["course_not_found", "precondition_failed"],
  },

  {
    method: "post",
    path: "/students/{id}/courses",
    summary: "Enroll a student in a course",
    tag: "Enrollments",
    params: idParams,
    body: enrollBody,
    responses: [
      {
        status: 201,
        description:
          "One course: enrolled, or a dropped enrollment re-activated; when its seats are all taken, waitlisted with a waitlist_position.",
        schema: enrollment,
        location: true,
      },
      {
        status: 200,
        description:
          "One course: already enrolled or waitlisted, nothing changed. Several (course_ids): what happened to each, in the order sent.",
        schema: z.union([enrollment, bulkEnrollment]),
      },
    ],
    problems: ["student_not_found", "course_not_found", "course_full"],
  },
  {
    method: "get",
    path: "/students/{id}/courses",
    summary: "List a student's enrollments",
    tag: "Enrollments",
    params: idParams,
    query: enrollmentListQuery,
    responses: [
      { status: 200, description: "A page, in course id order.", schema: pageSchema(enrollment) },
    ],
    problems: ["student_not_found"],
  },
  {
    method: "get",
    path: "/students/{id}/courses/{course_id}",
    summary: "Get an enrollment, in any status",
    tag: "Enrollments",
    params: enrollmentParams,
    responses: [{ status: 200, description: "The enrollment.", schema: enrollment }],
    problems: ["enrollment_not_found"],
  },
  {
    method: "delete",
    path: "/students/{id}/courses/{course_id}",
    summary: "Drop an enrollment (it is kept, as dropped)",
    tag: "Enrollments",
    params: enrollmentParams,
    responses: [{ status: 204, description: "Dropped." }],
    problems: ["student_not_found", "enrollment_not_found"],
  },
  {
    method: "get",
    path: "/courses/{id}/students",
    summary: "List a course's roster",
    tag: "Enrollments",
    params: idParams,
    query: enrollmentListQuery,
    responses: [
      { status: 200, description: "A page, in student id order.", schema: pageSchema(rosterEntry) },
    ],
    problems: ["course_not_found"],
  },
  {
    method: "get",
    path: "/enrollments",
    summary: "Every enrollment changed since a time or a cursor (delta sync)",
    tag: "Enrollments",
    query: changesQuery,
    responses: [
      {
        status: 200,
        description:
          "Changes in (updated_at, student_id, course_id) order: each enrollment as it now is (a drop has status dropped), and status deleted for those that went with a deleted student or course. Ask again with next_cursor while has_more; later, ask with it for what changed since.",
        schema: changesPage,
      },
    ],
  },

  {
    method: "post",
    path: "/webhooks",
    summary: "Subscribe a URL to events",
    tag: "Webhooks",
    body: createWebhookBody,
    responses: [
      {
        status: 201,
        description:
          "Subscribed. The answer holds the signing secret, which no later answer shows: keep it to verify deliveries.",
        schema: webhookWithSecret,
        location: true,
      },
    ],
    problems: ["insufficient_scope"],
  },
  {
    method: "get",
    path: "/webhooks",
    summary: "List webhook subscriptions",
    tag: "Webhooks",
    query: idPageQuery,
    responses: [{ status: 200, description: "A page, in id order.", schema: pageSchema(webhook) }],
    problems: ["insufficient_scope"],
  },
  {
    method: "get",
    path: "/webhooks/{id}",
    summary: "Get a webhook subscription",
    tag: "Webhooks",
    params: idParams,
    responses: [{ status: 200, description: "The subscription.", schema: webhook }],
    problems: ["insufficient_scope", "webhook_not_found"],
  },
  {
    method: "patch",
    path: "/webhooks/{id}",
    summary: "Change a subscription's URL, events or description, or enable or disable it",
    tag: "Webhooks",
    params: idParams,
    body: updateWebhookBody,
    responses: [
      { status: 200, description: "The subscription after the change.", schema: webhook },
    ],
    problems: ["insufficient_scope", "webhook_not_found"],
  },
  {
    method: "delete",
    path: "/webhooks/{id}",
    summary: "Delete a subscription and its deliveries",
    tag: "Webhooks",
    params: idParams,
    responses: [{ status: 204, description: "Deleted: nothing more is delivered to it." }],
    problems: ["insufficient_scope", "webhook_not_found"],
  },
  {
    method: "post",
    path: "/webhooks/{id}/secret",
    summary: "Rotate a subscription's signing secret",
    tag: "Webhooks",
    params: idParams,
    responses: [
      {
        status: 200,
        description:
          "The subscription with its new secret, shown only here. For 24 hours (until previous_secret_until) every delivery is signed with both the old and the new secret.",
        schema: webhookWithSecret,
      },
    ],
    problems: ["insufficient_scope", "webhook_not_found"],
  },
  {
    method: "get",
    path: "/webhooks/{id}/deliveries",
    summary: "List a subscription's deliveries, newest first",
    tag: "Webhooks",
    params: idParams,
    query: deliveryListQuery,
    responses: [
      { status: 200, description: "A page, newest first.", schema: pageSchema(delivery) },
    ],
    problems: ["insufficient_scope", "webhook_not_found"],
  },
  {
    method: "post",
    path: "/webhooks/{id}/deliveries/{delivery_id}/retry",
    summary: "Send a failed delivery again",
    tag: "Webhooks",
    params: deliveryParams,
    responses: [
      {
        status: 202,
        description:
          "Pending again: it is attempted within seconds, with the same webhook-id, and retried on failure like a new one.",
      },
    ],
    problems: [
      "insufficient_scope",
      "delivery_not_found",
      "delivery_not_failed",
      "webhook_disabled",
    ],
  },
  {
    method: "post",
    path: "/imports",
    summary: "Import a CSV file of students, courses or enrollments, by SIS id",
    tag: "Imports",
    query: importQuery,
    csvBody:
      "A CSV file (UTF-8, with or without a BOM; CRLF, LF or CR; fields quoted as RFC 4180 says) whose first row names its columns, in any order. Students: sis_id, name, email. Courses: sis_id, code, title, and optionally capacity and waitlist_capacity (a whole number, or empty for no limit). Enrollments: student_sis_id, course_sis_id, and optionally status (active, the default, or dropped). At most 100 MiB, with a Content-Length.",
    responses: [
      {
        status: 202,
        description:
          "Accepted: the file is stored and its Workflow queued. Follow Location (GET /imports/{id}) for its progress.",
        schema: importRecord,
        location: true,
      },
    ],
    problems: ["length_required"],
  },
  {
    method: "get",
    path: "/imports",
    summary: "List imports",
    tag: "Imports",
    query: idPageQuery,
    responses: [
      { status: 200, description: "A page, in id order.", schema: pageSchema(importRecord) },
    ],
  },
  {
    method: "get",
    path: "/imports/{id}",
    summary: "Get an import: its state, progress, counts and first errors",
    tag: "Imports",
    params: idParams,
    responses: [{ status: 200, description: "The import.", schema: importRecord }],
    problems: ["import_not_found"],
  },
  {
    method: "delete",
    path: "/imports/{id}",
    summary: "Cancel an import that has not finished",
    tag: "Imports",
    params: idParams,
    responses: [
      {
        status: 200,
        description:
          "The import as it now is: cancelled (the chunks already applied stay applied, and its counts say what they did), or as it finished.",
        schema: importRecord,
      },
    ],
    problems: ["import_not_found"],
  },
];
