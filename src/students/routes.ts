import { Hono } from "hono";
import type { AppEnv } from "../env";
import { createdRecord, idempotencyOf } from "../http/idempotency";
import { requireJsonBody } from "../http/json-body";
import { ifMatchVersions, splitVersion } from "../http/preconditions";
import { Problem, preconditionFailed, studentNotFound } from "../http/problem";
import { annotateRequestLog } from "../http/request-log";
import { validate } from "../http/validate";
import { idParams } from "../lib/ids";
import { fetchPage } from "../lib/pagination";
import { logEvent } from "../log";
import { deleteStudent, findStudent, insertStudent, listStudents, updateStudent } from "./queries";
import { createStudentBody, studentListQuery, updateStudentBody } from "./schemas";

const emailTaken = () => new Problem("email_taken", "A student with this email already exists.");

export const studentRoutes = new Hono<AppEnv>()
  .post("/", requireJsonBody, validate("json", createStudentBody), async (c) => {
    const input = c.req.valid("json");
    const { row, replayed } = createdRecord(
      c,
      await insertStudent(c.var.db, input, await idempotencyOf(c, input)),
      emailTaken,
    );
    const [student, etag] = splitVersion(row);
    if (!replayed) logEvent(c.get("requestId"), "student.created", { student_id: student.id });
    return c.json(student, 201, { Location: `/students/${student.id}`, ...etag });
  })
  .get("/", validate("query", studentListQuery), async (c) => {
    const { limit, cursor, email } = c.req.valid("query");
    const page = await fetchPage(
      limit,
      (count) => listStudents(c.var.db, count, cursor, email),
      (s) => [s.id],
    );
    annotateRequestLog(c, { row_count: page.data.length });
    return c.json(page, 200);
  })
  .get("/:id", validate("param", idParams), async (c) => {
    const { id } = c.req.valid("param");
    const found = await findStudent(c.var.db, id);
    if (!found) throw studentNotFound(id);
    const [student, etag] = splitVersion(found);
    return c.json(student, 200, etag);
  })
  .patch(
    "/:id",
    validate("param", idParams),
    requireJsonBody,
    validate("json", updateStudentBody),
    async (c) => {
      const { id } = c.req.valid("param");
      const result = await updateStudent(c.var.db, id, c.req.valid("json"), ifMatchVersions(c));
      if (result.outcome !== "updated")
        throw result.outcome === "taken"
          ? emailTaken()
          : result.outcome === "not_found"
            ? studentNotFound(id)
            : preconditionFailed();
      if (result.changed.length > 0)
        logEvent(c.get("requestId"), "student.updated", {
          student_id: id,
          fields: result.changed.join(","),
        });
      const [student, etag] = splitVersion(result.row);
      return c.json(student, 200, etag);
    },
  )
  .delete("/:id", validate("param", idParams), async (c) => {
    const { id } = c.req.valid("param");
    const outcome = await deleteStudent(c.var.db, id, ifMatchVersions(c));
    if (outcome !== "deleted")
      throw outcome === "not_found" ? studentNotFound(id) : preconditionFailed();
    logEvent(c.get("requestId"), "student.deleted", { student_id: id });
    return c.body(null, 204);
  });
