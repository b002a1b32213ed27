import { Hono } from "hono";
import type { AppEnv } from "../env";
import { createdRecord, idempotencyOf } from "../http/idempotency";
import { requireJsonBody } from "../http/json-body";
import { ifMatchVersions, splitVersion } from "../http/preconditions";
import { courseNotFound, Problem, preconditionFailed } from "../http/problem";
import { annotateRequestLog } from "../http/request-log";
import { validate } from "../http/validate";
import { idParams } from "../lib/ids";
import { fetchPage } from "../lib/pagination";
import { logEvent } from "../log";
import { deleteCourse, findCourse, insertCourse, listCourses, updateCourse } from "./queries";
import { courseListQuery, createCourseBody, updateCourseBody } from "./schemas";

const codeTaken = () => new Problem("code_taken", "A course with this code already exists.");

export const courseRoutes = new Hono<AppEnv>()
  .post("/", requireJsonBody, validate("json", createCourseBody), async (c) => {
    const input = c.req.valid("json");
    const { row, replayed } = createdRecord(
      c,
      await insertCourse(c.var.db, input, await idempotencyOf(c, input)),
      codeTaken,
    );
    const [course, etag] = splitVersion(row);
    if (!replayed) logEvent(c.get("requestId"), "course.created", { course_id: course.id });
    return c.json(course, 201, { Location: `/courses/${course.id}`, ...etag });
  })
  .get("/", validate("query", courseListQuery), async (c) => {
    const { limit, cursor, code } = c.req.valid("query");
    const page = await fetchPage(
      limit,
      (count) => listCourses(c.var.db, count, cursor, code),
      (course) => [course.id],
    );
    annotateRequestLog(c, { row_count: page.data.length });
    return c.json(page, 200);
  })
  .get("/:id", validate("param", idParams), async (c) => {
    const { id } = c.req.valid("param");
    const found = await findCourse(c.var.db, id);
    if (!found) throw courseNotFound(id);
    const [course, etag] = splitVersion(found);
    return c.json(course, 200, etag);
  })
  .patch(
    "/:id",
    validate("param", idParams),
    requireJsonBody,
    validate("json", updateCourseBody),
    async (c) => {
      const { id } = c.req.valid("param");
      const result = await updateCourse(c.var.db, id, c.req.valid("json"), ifMatchVersions(c));
      if (result.outcome !== "updated")
        throw result.outcome === "taken"
          ? codeTaken()
          : result.outcome === "not_found"
            ? courseNotFound(id)
            : preconditionFailed();
      if (result.changed.length > 0)
        logEvent(c.get("requestId"), "course.updated", {
          course_id: id,
          fields: result.changed.join(","),
        });
      const [course, etag] = splitVersion(result.row);
      return c.json(course, 200, etag);
    },
  )
  .delete("/:id", validate("param", idParams), async (c) => {
    const { id } = c.req.valid("param");
    const outcome = await deleteCourse(c.var.db, id, ifMatchVersions(c));
    if (outcome !== "deleted")
      throw outcome === "not_found" ? courseNotFound(id) : preconditionFailed();
    logEvent(c.get("requestId"), "course.deleted", { course_id: id });
    return c.body(null, 204);
  });
