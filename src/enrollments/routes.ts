import { Hono } from "hono";
import type { AppEnv } from "../env";
import { courseNotFound, Problem, studentNotFound } from "../http/problem";
import { annotateRequestLog } from "../http/request-log";
import { requireJsonBody } from "../http/json-body";
import { validate } from "../http/validate";
import { idParams } from "../lib/ids";
import { toPage } from "../lib/pagination";
import { logEvent } from "../log";
import { dropEnrollment, enroll, findEnrollment, listCourseRoster, listStudentEnrollments } from "./queries";
import { enrollBody, enrollmentListQuery, enrollmentParams } from "./schemas";

const enrollmentNotFound = (studentId: number, courseId: number, state = "") =>
  new Problem("enrollment_not_found", `Student ${studentId} has no${state} enrollment in course ${courseId}.`);

export const enrollmentRoutes = new Hono<AppEnv>()
  .post("/students/:id/courses", validate("param", idParams), requireJsonBody, validate("json", enrollBody), async (c) => {
    const { id } = c.req.valid("param");
    const { course_id } = c.req.valid("json");
    const result = await enroll(c.var.db, id, course_id);
    if (result.outcome === "student_not_found") throw studentNotFound(id);
    if (result.outcome === "course_not_found") throw courseNotFound(course_id);
    logEvent(c.get("requestId"), `enrollment.${result.outcome}`, { student_id: id, course_id });
    if (result.outcome === "unchanged") return c.json(result.enrollment, 200);
    return c.json(result.enrollment, 201, { Location: `/students/${id}/courses/${course_id}` });
  })
  .get("/students/:id/courses", validate("param", idParams), validate("query", enrollmentListQuery), async (c) => {
    const { id } = c.req.valid("param");
    const { status, limit, cursor } = c.req.valid("query");
    const rows = await listStudentEnrollments(c.var.db, id, { status, count: limit + 1, after: cursor });
    if (!rows) throw studentNotFound(id);
    const page = toPage(rows, limit, (e) => [e.course_id]);
    annotateRequestLog(c, { student_id: id, row_count: page.data.length });
    return c.json(page, 200);
  })
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
  .get("/courses/:id/students", validate("param", idParams), validate("query", enrollmentListQuery), async (c) => {
    const { id } = c.req.valid("param");
    const { status, limit, cursor } = c.req.valid("query");
    const rows = await listCourseRoster(c.var.db, id, { status, count: limit + 1, after: cursor });
    if (!rows) throw courseNotFound(id);
    const page = toPage(rows, limit, (e) => [e.student_id]);
    annotateRequestLog(c, { course_id: id, row_count: page.data.length });
    return c.json(page, 200);
  });
