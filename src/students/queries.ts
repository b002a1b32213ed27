import { and, asc, eq, gt } from "drizzle-orm";
import type { Database } from "../db/client";
import { students } from "../db/schema";
import type { NewStudent, Student } from "./schemas";

/** Inserts the student, or returns undefined when the email is taken (one statement, no race). */
export async function insertStudent(db: Database, input: NewStudent): Promise<Student | undefined> {
  const [row] = await db.insert(students).values(input).onConflictDoNothing({ target: students.email }).returning();
  return row;
}

export async function findStudent(db: Database, id: number): Promise<Student | undefined> {
  return db.select().from(students).where(eq(students.id, id)).get();
}

/**
 * `count` students with an id above `after`, in id order (keyset: as fast on page 1,000 as on
 * page 1); only the one with `email`, when given (found through its unique index).
 */
export async function listStudents(db: Database, count: number, after = 0, email?: string): Promise<Student[]> {
  const byEmail = email === undefined ? undefined : eq(students.email, email);
  return db.select().from(students).where(and(byEmail, gt(students.id, after))).orderBy(asc(students.id)).limit(count);
}

/** Deletes the student; false when there was none. */
export async function deleteStudent(db: Database, id: number): Promise<boolean> {
  const deleted = await db.delete(students).where(eq(students.id, id)).returning({ id: students.id });
  return deleted.length > 0;
}
