import { type Context, Hono } from "hono";
import type { AppEnv } from "../env";
import { requireJsonBody } from "../http/json-body";
import {
  courseNotFound,
  coursesFull,
  coursesNotFound,
  enrollmentNotFound,
  studentNotFound,
} from "../http/problems";
import { validate } from "../http/validate";
import { idParams } from "../lib/ids";
import { fetchPage } from "../lib/pagination";
import { annotateRequestLog, recordEvent, recordSideEvent } from "../log";
import { readChanges } from "./changes";
import {
  dropEnrollment,
  type EnrollmentResult,
  enrollInCourse,
  enrollInCourses,
  findEnrollment,
  listCourseRoster,
  listCourseWaitlist,
  listStudentEnrollments,
} from "./queries";
import type { BulkEnrollment } from "./responses";
import { changesQuery, enrollBody, enrollmentListQuery, enrollmentParams } from "./schemas";

/** Enrolls in one course: 201 when enrolled or re-activated, 200 when already enrolled. */
async function enrollInOne(c: Context<AppEnv>, studentId: number, courseId: number) {
  const outcome = await enrollInCourse(c.var.db, studentId, courseId);
  if (outcome === "student_not_found") throw studentNotFound(studentId);
  if (outcome === "course_not_found") throw courseNotFound(courseId);
  if (outcome === "course_full") throw coursesFull([courseId], [courseId], "body.course_id");
  const { result, enrollment } = outcome;
  recordEvent(c, `enrollment.${result}`, { student_id: studentId, course_id: courseId });
  if (result === "unchanged") return c.json(enrollment, 200);
  return c.json(enrollment, 201, { Location: `/students/${studentId}/courses/${courseId}` });
}

/** Enrolls in several courses, all or nothing: 200 with what happened to each. */
async function enrollInMany(c: Context<AppEnv>, studentId: number, courseIds: number[]) {
  const outcome = await enrollInCourses(c.var.db, studentId, courseIds);
  if (outcome.outcome === "student_not_found") throw studentNotFound(studentId);
  if (outcome.outcome === "courses_not_found") throw coursesNotFound(courseIds, outcome.missing);
  if (outcome.outcome === "courses_full") throw coursesFull(courseIds, outcome.full);
  recordEvent(c, "enrollment.bulk", {
    student_id: studentId,
    ...courseIdsByResult(outcome.results),
  });
  return c.json({ data: outcome.results } satisfies BulkEnrollment, 200);
}

/** A bulk enroll's log fields: `created_course_ids: "3,7"` and so on, for each result it had. */
function courseIdsByResult(results: EnrollmentResult[]): Record<string, string> {
  const groups = Object.entries(Object.groupBy(results, ({ result }) => result));
  return Object.fromEntries(
    groups.map(([result, group = []]) => [
      `${result}_course_ids`,
      group.map(({ course_id }) => course_id).join(","),
    ]),
  );
}

/** A page of a course's line, in its order; the cursor holds the place in line. */
async function waitlistPage(c: Context<AppEnv>, id: number, limit: number, cursor?: number) {
  const page = await fetchPage(
    limit,
    (count) => listCourseWaitlist(c.var.db, id, { count, after: cursor }),
    (e) => [e.waitlist_seq],
  );
  return page && { ...page, data: page.data.map(({ waitlist_seq: _, ...entry }) => entry) };
}

export const enrollmentRoutes = new Hono<AppEnv>()
  .post(
    "/students/:id/courses",
    validate("param", idParams),
    requireJsonBody,
    validate("json", enrollBody),
    async (c) => {
      const { id } = c.req.valid("param");
      const body = c.req.valid("json");
      if ("course_ids" in body) return enrollInMany(c, id, body.course_ids);
      return enrollInOne(c, id, body.course_id);
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
    const dropped = await dropEnrollment(c.var.db, id, course_id);
    if (dropped.outcome === "student_not_found") throw studentNotFound(id);
    if (dropped.outcome === "enrollment_not_found") {
      throw enrollmentNotFound(id, course_id, " active");
    }
    recordEvent(c, "enrollment.dropped", { student_id: id, course_id });
    if (dropped.promoted !== undefined) {
      recordSideEvent(c, "enrollment.promoted", { promoted_student_id: dropped.promoted });
    }
    return c.body(null, 204);
  })
  .get(
    "/courses/:id/students",
    validate("param", idParams),
    validate("query", enrollmentListQuery),
    async (c) => {
      const { id } = c.req.valid("param");
      const { status, limit, cursor } = c.req.valid("query");
      const page =
        status === "waitlisted"
          ? await waitlistPage(c, id, limit, cursor)
          : await fetchPage(
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
