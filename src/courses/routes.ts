import { Hono } from "hono";
import type { AppEnv } from "../env";
import { idempotencyOf, resolveCreation } from "../http/idempotency";
import { requireJsonBody } from "../http/json-body";
import { ifMatchVersions, representation } from "../http/preconditions";
import { codeTaken, courseNotFound, preconditionFailed, sisIdTaken } from "../http/problems";
import { validate } from "../http/validate";
import { idParams } from "../lib/ids";
import { fetchPage } from "../lib/pagination";
import { annotateRequestLog, recordEvent, recordSideEvent } from "../log";
import { deleteCourse, findCourse, insertCourse, listCourses, updateCourse } from "./queries";
import { courseListQuery, createCourseBody, updateCourseBody } from "./schemas";

/** What a course's ETag follows besides its version: its seats taken and its line. */
const countsOf = (row: { enrolled_count: number; waitlisted_count: number }) => [
  row.enrolled_count,
  row.waitlisted_count,
];

/** Why an update or delete changed nothing, as the problem to answer with. */
const REFUSED = { not_found: courseNotFound, precondition_failed: preconditionFailed };

/** The problem for a value that another course holds: its code or its SIS id. */
const taken = (column: string) => (column === "sis_id" ? sisIdTaken("course") : codeTaken());

export const courseRoutes = new Hono<AppEnv>()
  .post("/", requireJsonBody, validate("json", createCourseBody), async (c) => {
    const input = c.req.valid("json");
    const idempotency = await idempotencyOf(c, input);
    const creation = await insertCourse(c.var.db, input, idempotency);
    const { row, replayed } = resolveCreation(c, creation, taken);
    const { body, headers } = representation(row, countsOf(row));
    if (!replayed) recordEvent(c, "course.created", { course_id: body.id });
    return c.json(body, 201, { Location: `/courses/${body.id}`, ...headers });
  })
  .get("/", validate("query", courseListQuery), async (c) => {
    const { limit, cursor, ...filter } = c.req.valid("query");
    const fetch = (count: number) => listCourses(c.var.db, count, cursor, filter);
    const page = await fetchPage(limit, fetch, (course) => [course.id]);
    annotateRequestLog(c, { row_count: page.data.length });
    return c.json(page, 200);
  })
  .get("/:id", validate("param", idParams), async (c) => {
    const { id } = c.req.valid("param");
    const found = await findCourse(c.var.db, id);
    if (!found) throw courseNotFound(id);
    const { body, headers } = representation(found, countsOf(found));
    return c.json(body, 200, headers);
  })
  .patch(
    "/:id",
    validate("param", idParams),
    requireJsonBody,
    validate("json", updateCourseBody),
    async (c) => {
      const { id } = c.req.valid("param");
      const result = await updateCourse(c.var.db, id, c.req.valid("json"), ifMatchVersions(c));
      if (result.outcome === "taken") throw taken(result.column);
      if (result.outcome !== "updated") throw REFUSED[result.outcome](id);
      const fields = result.changed.join(",");
      if (fields) recordEvent(c, "course.updated", { course_id: id, fields });
      // A capacity raised gave seats to the head of the line.
      if (result.promoted.length > 0) {
        recordSideEvent(c, "enrollment.promoted", {
          promoted_student_ids: result.promoted.join(","),
        });
      }
      const { body, headers } = representation(result.row, countsOf(result.row));
      return c.json(body, 200, headers);
    },
  )
  .delete("/:id", validate("param", idParams), async (c) => {
    const { id } = c.req.valid("param");
    const outcome = await deleteCourse(c.var.db, id, ifMatchVersions(c));
    if (outcome !== "deleted") throw REFUSED[outcome](id);
    recordEvent(c, "course.deleted", { course_id: id });
    return c.body(null, 204);
  });
