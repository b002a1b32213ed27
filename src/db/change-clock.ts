import { and, eq, type SQL, sql } from "drizzle-orm";
import type { Database } from "./client";
import { changeClock, NOW } from "./schema";

/**
 * Moves the change clock on, as the first statement of a batch that changes enrollments: to
 * the current time, or 1 ms past its last value when that is not later. D1 runs a batch as one
 * transaction and one at a time, so each batch gets a time of its own, later than every time
 * already committed; a mirror's cursor therefore never passes a change still to commit. Only
 * `when` the batch will change something, so that a refused request writes nothing at all.
 */
export const tickChangeClock = (db: Database, when: SQL | undefined) =>
  db
    .update(changeClock)
    .set({ at: sql`max(${NOW}, strftime('%Y-%m-%dT%H:%M:%fZ', ${changeClock.at}, '+0.001 seconds'))` })
    .where(and(eq(changeClock.id, 1), when));

/** The time of this batch's changes, after tickChangeClock. */
export const CHANGE_TIME = sql<string>`(SELECT ${changeClock.at} FROM ${changeClock} WHERE ${changeClock.id} = 1)`;
