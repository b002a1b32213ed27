import { and, asc, eq, gt } from "drizzle-orm";
import type { Database } from "../db/client";
import { courses } from "../db/schema";
import type { Course, NewCourse } from "./schemas";

/** Inserts the course, or returns undefined when the code is taken (one statement, no race). */
export async function insertCourse(db: Database, input: NewCourse): Promise<Course | undefined> {
  const [row] = await db.insert(courses).values(input).onConflictDoNothing({ target: courses.code }).returning();
  return row;
}

export async function findCourse(db: Database, id: number): Promise<Course | undefined> {
  return db.select().from(courses).where(eq(courses.id, id)).get();
}

/**
 * `count` courses with an id above `after`, in id order (keyset: as fast on page 1,000 as on
 * page 1); only the one with `code`, when given (found through its unique index).
 */
export async function listCourses(db: Database, count: number, after = 0, code?: string): Promise<Course[]> {
  const byCode = code === undefined ? undefined : eq(courses.code, code);
  return db.select().from(courses).where(and(byCode, gt(courses.id, after))).orderBy(asc(courses.id)).limit(count);
}

/** Deletes the course; false when there was none. */
export async function deleteCourse(db: Database, id: number): Promise<boolean> {
  const deleted = await db.delete(courses).where(eq(courses.id, id)).returning({ id: courses.id });
  return deleted.length > 0;
}
