import { and, asc, eq, gt } from "drizzle-orm";
import type { Database } from "../db/client";
import { createOnce, type Idempotency } from "../db/idempotency";
import { courses } from "../db/schema";
import { deleteVersioned, updateVersioned, type Versions } from "../db/versions";
import type { Course, CourseChanges, NewCourse } from "./schemas";

/** The columns a client sees; the version travels as the ETag. */
const courseColumns = {
  id: courses.id,
  code: courses.code,
  title: courses.title,
  created_at: courses.created_at,
};
const withVersion = { ...courseColumns, version: courses.version };

type VersionedCourse = Course & { version: number };

/** Inserts the course unless its code is taken; with an Idempotency-Key, once per key (see createOnce). */
export const insertCourse = (db: Database, input: NewCourse, idempotency?: Idempotency) =>
  createOnce<VersionedCourse>(db, {
    table: courses,
    values: input,
    returning: withVersion,
    unique: courses.code,
    idempotency,
  });

export async function findCourse(db: Database, id: number): Promise<VersionedCourse | undefined> {
  return db.select(withVersion).from(courses).where(eq(courses.id, id)).get();
}

/** Applies `changes` to the course if `versions` allows (see updateVersioned); a new code must be free. */
export const updateCourse = (
  db: Database,
  id: number,
  changes: CourseChanges,
  versions: Versions,
) =>
  updateVersioned<Course>(db, {
    table: courses,
    columns: courseColumns,
    id,
    changes,
    unique: courses.code,
    versions,
  });

/**
 * `count` courses with an id above `after`, in id order (keyset: as fast on page 1,000 as on
 * page 1); only the one with `code`, when given (found through its unique index).
 */
export async function listCourses(
  db: Database,
  count: number,
  after = 0,
  code?: string,
): Promise<Course[]> {
  const byCode = code === undefined ? undefined : eq(courses.code, code);
  return db
    .select(courseColumns)
    .from(courses)
    .where(and(byCode, gt(courses.id, after)))
    .orderBy(asc(courses.id))
    .limit(count);
}

/** Deletes the course (and so its enrollments) if `versions` allows (see deleteVersioned). */
export const deleteCourse = (db: Database, id: number, versions: Versions) =>
  deleteVersioned(db, courses, id, versions);
