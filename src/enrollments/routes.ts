import { Hono } from "hono";
import type { AppEnv } from "../env";
import { requireJsonBody } from "../http/json-body";
import { courseNotFound, Problem, studentNotFound } from "../http/problem";
import { annotateRequestLog } from "../http/request-log";
import { validate } from "../http/validate";
import { idParams } from "../lib/ids";
import { fetchPage } from "../lib/pagination";
import { logEvent } from "../log";
import { readChanges } from "./changes";
import {
  dropEnrollment,
  enroll,
  findEnrollment,
  listCourseRoster,
  listStudentEnrollments,
} from "./queries";
import {
  type BulkEnrollment,
  changesQuery,
  enrollBody,
  enrollmentListQuery,
  enrollmentParams,
} from "./schemas";

/** A bulk enroll naming missing courses: each is pointed at in `errors`, and nothing was enrolled. */
const coursesNotFound = (sent: number[], missing: number[]) =>
  new Problem("course_not_found", `No course has id ${missing.join(", ")}; nothing was enrolled.`, {
    errors: missing.map((courseId) => ({
      path: `body.course_ids.${sent.indexOf(courseId)}`,
      message: "no course has this id",
    })),
  });
const enrollmentNotFound = (studentId: number, courseId: number, state = "") =>
  new Problem(
    "enrollment_not_found",
    `Student ${studentId} has no${state} enrollment in course ${courseId}.`,
  );

export const enrollmentRoutes = new Hono<AppEnv>()
  .post(
    "/students/:id/courses",
    validate("param", idParams),
    requireJsonBody,
    validate("json", enrollBody),
    async (c) => {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      const bulk = "course_ids" in body;
      const courseIds = bulk ? body.course_ids : [body.course_id];
      const result = await enroll(c.var.db, id, courseIds);
      if (result.outcome === "student_not_found") throw studentNotFound(id);
      if (result.outcome === "courses_not_found")
        throw bulk ? coursesNotFound(courseIds, result.missing) : courseNotFound(courseIds[0] ?? 0);
      for (const { course_id, result: what } of result.results)
        logEvent(c.get("requestId"), `enrollment.${what}`, { student_id: id, course_id });
      if (bulk) return c.json({ data: result.results } satisfies BulkEnrollment, 200);
      const [{ result: what, enrollment }] = result.results as [(typeof result.results)[number]];
      if (what === "unchanged") return c.json(enrollment, 200);
      return c.json(enrollment, 201, {
        Location: `/students/${id}/courses/${enrollment.course_id}`,
      });
    },
  )
  .get(
    "/students/:id/courses",
    validate("param", idParams),
    validate("query", enrollmentListQuery),
    async (c) => {
      const { id } = c.req.valid("param");
      const { status, limit, cursor } = c.req.valid("query");
      const page = await fetchPage(
        limit,
        (count) => listStudentEnrollments(c.var.db, id, { status, count, after: cursor }),
        (e) => [e.course_id],
      );
      if (!page) throw studentNotFound(id);
      annotateRequestLog(c, { student_id: id, row_count: page.data.length });
      return c.json(page, 200);
    },
  )
  .get("/students/:id/courses/:course_id", validate("param", enrollmentParams), async (c) => {
    const { id, course_id } = c.req.valid("param");
    const enrollment = await findEnrollment(c.var.db, id, course_id);
    if (!enrollment) throw enrollmentNotFound(id, course_id);
    return c.json(enrollment, 200);
  })
  .delete("/students/:id/courses/:course_id", validate("param", enrollmentParams), async (c) => {
    const { id, course_id } = c.req.valid("param");
    const outcome = await dropEnrollment(c.var.db, id, course_id);
    if (outcome === "student_not_found") throw studentNotFound(id);
    if (outcome === "enrollment_not_found") throw enrollmentNotFound(id, course_id, " active");
    logEvent(c.get("requestId"), "enrollment.dropped", { student_id: id, course_id });
    return c.body(null, 204);
  })
  .get(
    "/courses/:id/students",
    validate("param", idParams),
    validate("query", enrollmentListQuery),
    async (c) => {
      const { id } = c.req.valid("param");
      const { status, limit, cursor } = c.req.valid("query");
      const page = await fetchPage(
        limit,
        (count) => listCourseRoster(c.var.db, id, { status, count, after: cursor }),
        (e) => [e.student_id],
      );
      if (!page) throw courseNotFound(id);
      annotateRequestLog(c, { course_id: id, row_count: page.data.length });
      return c.json(page, 200);
    },
  )
  .get("/enrollments", validate("query", changesQuery), async (c) => {
    const page = await readChanges(c.var.db, c.req.valid("query"));
    annotateRequestLog(c, { row_count: page.data.length });
    return c.json(page, 200);
  });
