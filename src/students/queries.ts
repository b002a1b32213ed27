import { and, asc, eq, gt } from "drizzle-orm";
import type { Database } from "../db/client";
import { createOnce, type Idempotency } from "../db/idempotency";
import { students } from "../db/schema";
import { deleteVersioned, updateVersioned, type Versions } from "../db/versions";
import type { Student } from "./responses";
import type { NewStudent, StudentChanges } from "./schemas";

/** The columns a client sees; the version travels as the ETag. */
const studentColumns = {
  id: students.id,
  name: students.name,
  email: students.email,
  sis_id: students.sis_id,
  created_at: students.created_at,
};
const withVersion = { ...studentColumns, version: students.version };

type VersionedStudent = Student & { version: number };

/** Inserts the student unless their email or SIS id is taken; with an Idempotency-Key, once per key (see createOnce). */
export const insertStudent = (db: Database, input: NewStudent, idempotency?: Idempotency) =>
  createOnce<VersionedStudent>(db, {
    table: students,
    values: input,
    returning: withVersion,
    unique: [students.email, students.sis_id],
    idempotency,
  });

export async function findStudent(db: Database, id: number): Promise<VersionedStudent | undefined> {
  return db.select(withVersion).from(students).where(eq(students.id, id)).get();
}

/** Applies `changes` to the student if `versions` allows (see updateVersioned); a new email or SIS id must be free. */
export const updateStudent = (
  db: Database,
  id: number,
  changes: StudentChanges,
  versions: Versions,
) =>
  updateVersioned<Student>(db, {
    table: students,
    columns: studentColumns,
    id,
    changes,
    unique: [students.email, students.sis_id],
    versions,
  });

/** Who a list is narrowed to: the one student with this email, or this SIS id, or both. */
export type StudentFilter = { email?: string; sis_id?: string };

/**
 * `count` students with an id above `after`, in id order (keyset: as fast on page 1,000 as on
 * page 1); only the one that `filter` names, when it names one (found through a unique index).
 */
export async function listStudents(
  db: Database,
  count: number,
  after = 0,
  { email, sis_id }: StudentFilter = {},
): Promise<Student[]> {
  const byEmail = email === undefined ? undefined : eq(students.email, email);
  const bySisId = sis_id === undefined ? undefined : eq(students.sis_id, sis_id);
  return db
    .select(studentColumns)
    .from(students)
    .where(and(byEmail, bySisId, gt(students.id, after)))
    .orderBy(asc(students.id))
    .limit(count);
}

/** Deletes the student (and so their enrollments) if `versions` allows (see deleteVersioned). */
export const deleteStudent = (db: Database, id: number, versions: Versions) =>
  deleteVersioned(db, students, id, versions);
