import { Hono } from "hono";
import type { AppEnv } from "../env";
import { courseNotFound, Problem } from "../http/problem";
import { annotateRequestLog } from "../http/request-log";
import { requireJsonBody } from "../http/json-body";
import { validate } from "../http/validate";
import { idParams } from "../lib/ids";
import { fetchPage } from "../lib/pagination";
import { logEvent } from "../log";
import { deleteCourse, findCourse, insertCourse, listCourses } from "./queries";
import { courseListQuery, createCourseBody } from "./schemas";

export const courseRoutes = new Hono<AppEnv>()
  .post("/", requireJsonBody, validate("json", createCourseBody), async (c) => {
    const course = await insertCourse(c.var.db, c.req.valid("json"));
    if (!course) throw new Problem("code_taken", "A course with this code already exists.");
    logEvent(c.get("requestId"), "course.created", { course_id: course.id });
    return c.json(course, 201, { Location: `/courses/${course.id}` });
  })
  .get("/", validate("query", courseListQuery), async (c) => {
    const { limit, cursor, code } = c.req.valid("query");
    const page = await fetchPage(limit, (count) => listCourses(c.var.db, count, cursor, code), (course) => [course.id]);
    annotateRequestLog(c, { row_count: page.data.length });
    return c.json(page, 200);
  })
  .get("/:id", validate("param", idParams), async (c) => {
    const { id } = c.req.valid("param");
    const course = await findCourse(c.var.db, id);
    if (!course) throw courseNotFound(id);
    return c.json(course, 200);
  })
  .delete("/:id", validate("param", idParams), async (c) => {
    const { id } = c.req.valid("param");
    if (!(await deleteCourse(c.var.db, id))) throw courseNotFound(id);
    logEvent(c.get("requestId"), "course.deleted", { course_id: id });
    return c.body(null, 204);
  });
