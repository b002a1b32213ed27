import { sql } from "drizzle-orm";
import {
  check,
  index,
  integer,
  primaryKey,
  sqliteTable,
  text,
  uniqueIndex,
} from "drizzle-orm/sqlite-core";

// Mirrors migrations/*.sql exactly; test/db/schema-agreement.test.ts fails when the two drift.
// Property names are the column names, so rows serialise straight into the API's snake_case.

/** The current time as ISO-8601 UTC with milliseconds (2026-11-22T10:00:00.000Z), in SQL. */
export const NOW = sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))`;

/** The current time moved by an SQLite modifier ("+24 hours", "-3 days"), in the same form. */
export const nowMoved = (modifier: string) =>
  sql`(strftime('%Y-%m-%dT%H:%M:%fZ', 'now', ${modifier}))`;

/**
 * The time the change clock (migrations/0003) moves to with the next change to an
 * enrollment: the later of now and 1 ms past its last value. A statement that writes it into
 * updated_at spares the stamp trigger a second write of the row (migrations/0006); within one
 * statement and its triggers SQLite's 'now' is one time, so the two agree.
 */
export const NEXT_CHANGE_STAMP = sql`(max(strftime('%Y-%m-%dT%H:%M:%fZ', 'now'), strftime('%Y-%m-%dT%H:%M:%fZ', (SELECT at FROM change_clock WHERE id = 1), '+0.001 seconds')))`;

const timestamp = (name: string) => text(name).notNull().default(NOW);

export const students = sqliteTable(
  "students",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    name: text("name").notNull(),
    email: text("email").notNull().unique(),
    created_at: timestamp("created_at"),
    version: integer("version").notNull().default(1),
    /** The school's own id for the student (its SIS's); null: none. */
    sis_id: text("sis_id"),
  },
  (t) => [
    check("students_sis_id", sql`length(${t.sis_id}) BETWEEN 1 AND 255`),
    uniqueIndex("students_sis_id_unique").on(t.sis_id).where(sql`${t.sis_id} IS NOT NULL`),
  ],
);

export const courses = sqliteTable(
  "courses",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    code: text("code").notNull().unique(),
    title: text("title").notNull(),
    created_at: timestamp("created_at"),
    version: integer("version").notNull().default(1),
    /** Seats; null: unlimited. */
    capacity: integer("capacity"),
    /** Places in line once the seats are taken; null: unlimited, 0: no waitlist. */
    waitlist_capacity: integer("waitlist_capacity"),
    /** The school's own id for the course (its SIS's); null: none. */
    sis_id: text("sis_id"),
  },
  (t) => [
    check("courses_sis_id", sql`length(${t.sis_id}) BETWEEN 1 AND 255`),
    uniqueIndex("courses_sis_id_unique").on(t.sis_id).where(sql`${t.sis_id} IS NOT NULL`),
    check("courses_capacity", sql`${t.capacity} BETWEEN 0 AND 100000`),
    check("courses_waitlist_capacity", sql`${t.waitlist_capacity} BETWEEN 0 AND 100000`),
  ],
);

export const ENROLLMENT_STATUSES = ["active", "dropped"] as const;

export const studentCourses = sqliteTable(
  "student_courses",
  {
    student_id: integer("student_id")
      .notNull()
      .references(() => students.id, { onDelete: "cascade" }),
    course_id: integer("course_id")
      .notNull()
      .references(() => courses.id, { onDelete: "cascade" }),
    status: text("status", { enum: ENROLLMENT_STATUSES }).notNull().default("active"),
    enrolled_at: timestamp("enrolled_at"),
    updated_at: timestamp("updated_at"),
    dropped_at: text("dropped_at"),
    /** Waiting for a seat (status stays 'active'): the place in line; null: not waiting. */
    waitlist_seq: integer("waitlist_seq"),
  },
  (t) => [
    primaryKey({ columns: [t.student_id, t.course_id] }),
    index("student_courses_course_id_student_id").on(t.course_id, t.student_id),
    check("student_courses_status", sql`${t.status} IN ('active', 'dropped')`),
    check("student_courses_waitlist_seq", sql`${t.waitlist_seq} IS NULL OR ${t.status} = 'active'`),
    index("student_courses_seats")
      .on(t.course_id)
      .where(sql`${t.status} = 'active' AND ${t.waitlist_seq} IS NULL`),
    uniqueIndex("student_courses_waitlist")
      .on(t.course_id, t.waitlist_seq)
      .where(sql`${t.waitlist_seq} IS NOT NULL`),
    index("student_courses_updated_at_student_id_course_id").on(
      t.updated_at,
      t.student_id,
      t.course_id,
    ),
  ],
);

/**
 * One row: the time of the latest change to an enrollment. Triggers on student_courses (in
 * migrations/0003, not modelled by drizzle) move it on and stamp updated_at and the
 * tombstones with it; the Worker only reads what they wrote.
 */
export const changeClock = sqliteTable(
  "change_clock",
  { id: integer("id").primaryKey(), at: text("at").notNull() },
  (t) => [check("change_clock_one_row", sql`${t.id} = 1`)],
);

/** Tombstones of deleted enrollments (most go with their student or course), written by a trigger. */
export const deletedEnrollments = sqliteTable(
  "deleted_enrollments",
  {
    student_id: integer("student_id").notNull(),
    course_id: integer("course_id").notNull(),
    deleted_at: text("deleted_at").notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.student_id, t.course_id] }),
    index("deleted_enrollments_deleted_at_student_id_course_id").on(
      t.deleted_at,
      t.student_id,
      t.course_id,
    ),
  ],
);

/**
 * The first create made with each Idempotency-Key, per token (a SHA-256 of it), for 24 hours:
 * the record as created, or NULL when it was refused as a conflict, to replay to a retry
 * (src/db/idempotency.ts).
 */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    scope: text("scope").notNull(),
    key: text("key").notNull(),
    fingerprint: text("fingerprint").notNull(),
    created: text("created"),
    created_at: timestamp("created_at"),
  },
  (t) => [
    primaryKey({ columns: [t.scope, t.key] }),
    index("idempotency_keys_created_at").on(t.created_at),
  ],
);

/**
 * Webhook subscriptions (migrations/0008): where to deliver which events, and the signing
 * secret, encrypted (src/webhooks/secrets.ts).
 */
export const webhookSubscriptions = sqliteTable(
  "webhook_subscriptions",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    url: text("url").notNull(),
    /** A JSON array of event types, or ["*"]. */
    events: text("events").notNull(),
    description: text("description"),
    secret: text("secret").notNull(),
    previous_secret: text("previous_secret"),
    previous_secret_until: text("previous_secret_until"),
    enabled: integer("enabled").notNull().default(1),
    disabled_reason: text("disabled_reason", { enum: ["gone", "failing"] }),
    failing_since: text("failing_since"),
    created_at: timestamp("created_at"),
    updated_at: timestamp("updated_at"),
  },
  (t) => [
    check("webhook_subscriptions_enabled", sql`${t.enabled} IN (0, 1)`),
    check(
      "webhook_subscriptions_disabled_reason",
      sql`${t.disabled_reason} IN ('gone', 'failing')`,
    ),
    index("webhook_subscriptions_enabled").on(t.enabled).where(sql`${t.enabled} = 1`),
  ],
);

/** The outbox: one row per change, written by the triggers of migrations/0008 only. */
export const webhookEvents = sqliteTable(
  "webhook_events",
  {
    id: text("id").primaryKey().default(sql`('evt_' || lower(hex(randomblob(12))))`),
    type: text("type").notNull(),
    data: text("data").notNull(),
    created_at: timestamp("created_at"),
  },
  (t) => [index("webhook_events_created_at").on(t.created_at)],
);

/**
 * How far the dispatcher has turned events into deliveries (migrations/0013): the rowid of the
 * last event it fanned out. One row.
 */
export const webhookFanOut = sqliteTable(
  "webhook_fan_out",
  { id: integer("id").primaryKey(), after_rowid: integer("after_rowid").notNull() },
  (t) => [check("webhook_fan_out_one_row", sql`${t.id} = 1`)],
);

export const DELIVERY_STATES = ["pending", "queued", "succeeded", "failed"] as const;

/** One per event and subscription that wants it, made by the dispatcher (src/webhooks/dispatch.ts). */
export const webhookDeliveries = sqliteTable(
  "webhook_deliveries",
  {
    id: integer("id").primaryKey(),
    subscription_id: integer("subscription_id")
      .notNull()
      .references(() => webhookSubscriptions.id, { onDelete: "cascade" }),
    event_id: text("event_id")
      .notNull()
      .references(() => webhookEvents.id, { onDelete: "cascade" }),
    state: text("state", { enum: DELIVERY_STATES }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    last_status: integer("last_status"),
    last_error: text("last_error"),
    last_attempt_at: text("last_attempt_at"),
    next_attempt_at: text("next_attempt_at"),
    queued_at: text("queued_at"),
    created_at: timestamp("created_at"),
  },
  (t) => [
    check(
      "webhook_deliveries_state",
      sql`${t.state} IN ('pending', 'queued', 'succeeded', 'failed')`,
    ),
    index("webhook_deliveries_subscription_id_id").on(t.subscription_id, t.id),
    index("webhook_deliveries_event_id").on(t.event_id),
    index("webhook_deliveries_unfinished")
      .on(t.state, t.queued_at)
      .where(sql`${t.state} IN ('pending', 'queued')`),
  ],
);

export const IMPORT_TYPES = ["students", "courses", "enrollments"] as const;
export const IMPORT_STATES = ["queued", "running", "succeeded", "failed", "cancelled"] as const;

/** Roster imports (migrations/0010): one row per uploaded file, its progress and its counts. */
export const imports = sqliteTable(
  "imports",
  {
    id: integer("id").primaryKey({ autoIncrement: true }),
    type: text("type", { enum: IMPORT_TYPES }).notNull(),
    mode: text("mode", { enum: ["upsert", "sync"] })
      .notNull()
      .default("upsert"),
    dry_run: integer("dry_run").notNull().default(0),
    max_drop_percent: integer("max_drop_percent").notNull().default(10),
    state: text("state", { enum: IMPORT_STATES }).notNull().default("queued"),
    object_key: text("object_key").notNull(),
    size_bytes: integer("size_bytes").notNull(),
    bytes_processed: integer("bytes_processed").notNull().default(0),
    lines_processed: integer("lines_processed").notNull().default(0),
    rows_processed: integer("rows_processed").notNull().default(0),
    created: integer("created").notNull().default(0),
    updated: integer("updated").notNull().default(0),
    unchanged: integer("unchanged").notNull().default(0),
    dropped: integer("dropped").notNull().default(0),
    error_count: integer("error_count").notNull().default(0),
    /** The first 100 errors, a JSON array of {line, column, message}. */
    errors: text("errors").notNull().default("[]"),
    failure: text("failure"),
    created_at: timestamp("created_at"),
    started_at: text("started_at"),
    finished_at: text("finished_at"),
    /** The file's rows past its header, once known (migrations/0011). */
    rows_total: integer("rows_total"),
  },
  (t) => [
    check("imports_type", sql`${t.type} IN ('students', 'courses', 'enrollments')`),
    check("imports_mode", sql`${t.mode} IN ('upsert', 'sync')`),
    check("imports_dry_run", sql`${t.dry_run} IN (0, 1)`),
    check("imports_max_drop_percent", sql`${t.max_drop_percent} BETWEEN 0 AND 100`),
    check(
      "imports_state",
      sql`${t.state} IN ('queued', 'running', 'succeeded', 'failed', 'cancelled')`,
    ),
  ],
);

/** The values of an import's unique columns and the line each first appeared on (migrations/0011). */
export const importKeys = sqliteTable(
  "import_keys",
  {
    import_id: integer("import_id")
      .notNull()
      .references(() => imports.id, { onDelete: "cascade" }),
    name: text("name").notNull(),
    value: text("value").notNull(),
    line: integer("line").notNull(),
  },
  (t) => [primaryKey({ columns: [t.import_id, t.name, t.value] })],
);

/** The pairs a sync import's file lists (migrations/0011), gathered before it changes anything. */
export const importPairs = sqliteTable(
  "import_pairs",
  {
    import_id: integer("import_id")
      .notNull()
      .references(() => imports.id, { onDelete: "cascade" }),
    course_sis_id: text("course_sis_id").notNull(),
    student_sis_id: text("student_sis_id").notNull(),
  },
  (t) => [primaryKey({ columns: [t.import_id, t.course_sis_id, t.student_sis_id] })],
);
