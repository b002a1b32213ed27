import { type SQL, sql } from "drizzle-orm";
import { courses } from "../db/schema";

// Seats and the waitlist of a course, in SQL, for the statements that enroll, drop and
// promote. Each reads an index of migrations/0007 and only the entries it counts or finds:
// the seats taken (student_courses_seats), the line (student_courses_waitlist). An enrollment
// waits when its waitlist_seq is set; its status stays 'active' in the table.

/** The seats of the course `course` (an id in SQL) that are taken. */
export const seatsTaken = (course: SQL | typeof courses.id) =>
  sql`(SELECT count(*) FROM student_courses AS taken WHERE taken.course_id = ${course} AND taken.status = 'active' AND taken.waitlist_seq IS NULL)`;

/** How many wait for a seat of the course. */
export const waiting = (course: SQL | typeof courses.id) =>
  sql`(SELECT count(*) FROM student_courses AS line WHERE line.course_id = ${course} AND line.waitlist_seq IS NOT NULL)`;

/** The place after the last in the course's line. */
export const backOfLine = (course: SQL | typeof courses.id) =>
  sql`(SELECT coalesce(max(line.waitlist_seq), 0) + 1 FROM student_courses AS line WHERE line.course_id = ${course} AND line.waitlist_seq IS NOT NULL)`;

/** The head of the course's line: its waitlist_seq, or NULL. */
export const headOfLine = (course: SQL | typeof courses.id) =>
  sql`(SELECT min(line.waitlist_seq) FROM student_courses AS line WHERE line.course_id = ${course} AND line.waitlist_seq IS NOT NULL)`;

/** Whether a course (a row of `courses` in the statement) has a free seat. */
export const hasFreeSeat = sql`(${courses.capacity} IS NULL OR ${seatsTaken(courses.id)} < ${courses.capacity})`;

/** Whether a course's line has room for one more. */
export const hasPlaceInLine = sql`(${courses.waitlist_capacity} IS NULL OR ${waiting(courses.id)} < ${courses.waitlist_capacity})`;

/** The status the API shows for an enrollment row of `student_courses`: waiting is `waitlisted`. */
export const shownStatus = sql<
  "active" | "waitlisted" | "dropped"
>`CASE WHEN "student_courses"."waitlist_seq" IS NULL THEN "student_courses"."status" ELSE 'waitlisted' END`;

/** An enrollment row's place in its course's line, 1-based; NULL unless it waits. */
export const waitlistPosition = sql<
  number | null
>`CASE WHEN "student_courses"."waitlist_seq" IS NULL THEN NULL ELSE (SELECT count(*) FROM student_courses AS ahead WHERE ahead.course_id = "student_courses"."course_id" AND ahead.waitlist_seq <= "student_courses"."waitlist_seq") END`;
