import { asc, sql } from "drizzle-orm";
import type { SQLiteColumn } from "drizzle-orm/sqlite-core";
import type { Database } from "../db/client";
import { deletedEnrollments, studentCourses } from "../db/schema";
import { encodeCursor } from "../lib/cursor";
import { fetchPage } from "../lib/pagination";
import type { ChangesPage, EnrollmentChange } from "./responses";
import { type ChangePosition, type ChangesQuery, FEED_START } from "./schemas";
import { shownStatus, waitlistPosition } from "./seats";

// The change feed: every enrollment as it now is (active, or dropped: a drop keeps its row),
// and a tombstone for each one deleted (with its student or course), in one order: (time of
// the change, student id, course id). The database stamps both times itself, from its change
// clock (migrations/0003). Each source is read along its own index from the position on, and
// the two are merged, so a page costs the same at any depth.

/** SQL: the row whose (time, student, course) columns sort after `position`. */
const rowAfter = (
  time: SQLiteColumn,
  student: SQLiteColumn,
  course: SQLiteColumn,
  [t, s, c]: ChangePosition,
) => sql`(${time}, ${student}, ${course}) > (${t}, ${s}, ${c})`;

const positionOf = (change: EnrollmentChange): ChangePosition => [
  change.updated_at,
  change.student_id,
  change.course_id,
];

/** The later of two positions, compared field by field as the SQL above compares rows. */
function laterPosition(a: ChangePosition, b: ChangePosition): ChangePosition {
  const [aTime, aStudent, aCourse] = a;
  const [bTime, bStudent, bCourse] = b;
  if (aTime !== bTime) return aTime > bTime ? a : b;
  if (aStudent !== bStudent) return aStudent > bStudent ? a : b;
  return aCourse > bCourse ? a : b;
}

/**
 * A page of changes: after the cursor, from `updated_since` on (whichever is later), fetched
 * as every list is (fetchPage). Unlike other lists, it always has a `next_cursor`: the place
 * after the last change shown, or where the page started when there was none, to ask from
 * again later.
 */
export async function readChanges(
  db: Database,
  { updated_since, cursor = FEED_START, limit }: ChangesQuery,
): Promise<ChangesPage> {
  const since: ChangePosition = updated_since === undefined ? FEED_START : [updated_since, 0, 0];
  const position = laterPosition(since, cursor);
  const page = await fetchPage(
    limit,
    (count) => listEnrollmentChanges(db, position, count),
    positionOf,
  );
  const last = page.data.at(-1);
  return {
    data: page.data,
    next_cursor: encodeCursor(last ? positionOf(last) : position),
    has_more: page.next_cursor !== null,
  };
}

type ChangeRow = {
  student_id: number;
  course_id: number;
  status: EnrollmentChange["status"];
  enrolled_at: string | null;
  dropped_at: string | null;
  waitlist_position: number | null;
  updated_at: string;
};

/** A row of either source as the API shows it; a tombstone has no enrollment times. */
function toChange({
  student_id,
  course_id,
  status,
  enrolled_at,
  dropped_at,
  waitlist_position,
  updated_at,
}: ChangeRow): EnrollmentChange {
  if (status === "deleted") return { student_id, course_id, status, updated_at };
  // A current enrollment's enrolled_at is NOT NULL; only the tombstones' side selects NULL.
  return {
    student_id,
    course_id,
    status,
    enrolled_at: enrolled_at as string,
    dropped_at,
    waitlist_position,
    updated_at,
  };
}

/** Up to `count` changes after `position`, in the feed's order (one statement). */
async function listEnrollmentChanges(
  db: Database,
  position: ChangePosition,
  count: number,
): Promise<EnrollmentChange[]> {
  const { student_id, course_id, updated_at } = studentCourses;
  const current = db
    .select({
      student_id,
      course_id,
      // Typed as the union's rows are: the tombstones below add the status "deleted".
      status: sql<ChangeRow["status"]>`${shownStatus}`,
      enrolled_at: sql<string | null>`${studentCourses.enrolled_at}`,
      dropped_at: studentCourses.dropped_at,
      waitlist_position: sql<number | null>`${waitlistPosition}`,
      updated_at,
    })
    .from(studentCourses)
    .where(rowAfter(updated_at, student_id, course_id, position));
  const deleted = db
    .select({
      student_id: deletedEnrollments.student_id,
      course_id: deletedEnrollments.course_id,
      status: sql<ChangeRow["status"]>`'deleted'`,
      enrolled_at: sql<string | null>`NULL`,
      dropped_at: sql<string | null>`NULL`,
      waitlist_position: sql<number | null>`NULL`,
      updated_at: deletedEnrollments.deleted_at,
    })
    .from(deletedEnrollments)
    .where(
      rowAfter(
        deletedEnrollments.deleted_at,
        deletedEnrollments.student_id,
        deletedEnrollments.course_id,
        position,
      ),
    );
  const rows = await current
    .unionAll(deleted)
    .orderBy(asc(updated_at), asc(student_id), asc(course_id))
    .limit(count);
  return rows.map(toChange);
}
