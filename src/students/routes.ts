import { Hono } from "hono";
import type { AppEnv } from "../env";
import { idempotencyOf, resolveCreation } from "../http/idempotency";
import { requireJsonBody } from "../http/json-body";
import { ifMatchVersions, representation } from "../http/preconditions";
import { emailTaken, preconditionFailed, sisIdTaken, studentNotFound } from "../http/problems";
import { validate } from "../http/validate";
import { idParams } from "../lib/ids";
import { fetchPage } from "../lib/pagination";
import { annotateRequestLog, recordEvent } from "../log";
import { deleteStudent, findStudent, insertStudent, listStudents, updateStudent } from "./queries";
import { createStudentBody, studentListQuery, updateStudentBody } from "./schemas";

/** Why an update or delete changed nothing, as the problem to answer with. */
const REFUSED = { not_found: studentNotFound, precondition_failed: preconditionFailed };

/** The problem for a value that another student holds: its email or its SIS id. */
const taken = (column: string) => (column === "sis_id" ? sisIdTaken("student") : emailTaken());

export const studentRoutes = new Hono<AppEnv>()
  .post("/", requireJsonBody, validate("json", createStudentBody), async (c) => {
    const input = c.req.valid("json");
    const idempotency = await idempotencyOf(c, input);
    const creation = await insertStudent(c.var.db, input, idempotency);
    const { row, replayed } = resolveCreation(c, creation, taken);
    const { body, headers } = representation(row);
    if (!replayed) recordEvent(c, "student.created", { student_id: body.id });
    return c.json(body, 201, { Location: `/students/${body.id}`, ...headers });
  })
  .get("/", validate("query", studentListQuery), async (c) => {
    const { limit, cursor, ...filter } = c.req.valid("query");
    const fetch = (count: number) => listStudents(c.var.db, count, cursor, filter);
    const page = await fetchPage(limit, fetch, (s) => [s.id]);
    annotateRequestLog(c, { row_count: page.data.length });
    return c.json(page, 200);
  })
  .get("/:id", validate("param", idParams), async (c) => {
    const { id } = c.req.valid("param");
    const found = await findStudent(c.var.db, id);
    if (!found) throw studentNotFound(id);
    const { body, headers } = representation(found);
    return c.json(body, 200, headers);
  })
  .patch(
    "/:id",
    validate("param", idParams),
    requireJsonBody,
    validate("json", updateStudentBody),
    async (c) => {
      const { id } = c.req.valid("param");
      const result = await updateStudent(c.var.db, id, c.req.valid("json"), ifMatchVersions(c));
      if (result.outcome === "taken") throw taken(result.column);
      if (result.outcome !== "updated") throw REFUSED[result.outcome](id);
      const fields = result.changed.join(",");
      if (fields) recordEvent(c, "student.updated", { student_id: id, fields });
      const { body, headers } = representation(result.row);
      return c.json(body, 200, headers);
    },
  )
  .delete("/:id", validate("param", idParams), async (c) => {
    const { id } = c.req.valid("param");
    const outcome = await deleteStudent(c.var.db, id, ifMatchVersions(c));
    if (outcome !== "deleted") throw REFUSED[outcome](id);
    recordEvent(c, "student.deleted", { student_id: id });
    return c.body(null, 204);
  });
