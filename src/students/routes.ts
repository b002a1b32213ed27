import { Hono } from "hono";
import type { AppEnv } from "../env";
import { Problem, studentNotFound } from "../http/problem";
import { annotateRequestLog } from "../http/request-log";
import { requireJsonBody } from "../http/json-body";
import { validate } from "../http/validate";
import { idParams } from "../lib/ids";
import { fetchPage } from "../lib/pagination";
import { logEvent } from "../log";
import { deleteStudent, findStudent, insertStudent, listStudents } from "./queries";
import { createStudentBody, studentListQuery } from "./schemas";

export const studentRoutes = new Hono<AppEnv>()
  .post("/", requireJsonBody, validate("json", createStudentBody), async (c) => {
    const student = await insertStudent(c.var.db, c.req.valid("json"));
    if (!student) throw new Problem("email_taken", "A student with this email already exists.");
    logEvent(c.get("requestId"), "student.created", { student_id: student.id });
    return c.json(student, 201, { Location: `/students/${student.id}` });
  })
  .get("/", validate("query", studentListQuery), async (c) => {
    const { limit, cursor, email } = c.req.valid("query");
    const page = await fetchPage(limit, (count) => listStudents(c.var.db, count, cursor, email), (s) => [s.id]);
    annotateRequestLog(c, { row_count: page.data.length });
    return c.json(page, 200);
  })
  .get("/:id", validate("param", idParams), async (c) => {
    const { id } = c.req.valid("param");
    const student = await findStudent(c.var.db, id);
    if (!student) throw studentNotFound(id);
    return c.json(student, 200);
  })
  .delete("/:id", validate("param", idParams), async (c) => {
    const { id } = c.req.valid("param");
    if (!(await deleteStudent(c.var.db, id))) throw studentNotFound(id);
    logEvent(c.get("requestId"), "student.deleted", { student_id: id });
    return c.body(null, 204);
  });
