import { invalidRequest } from "../http/problems";
import type { ImportType } from "./schemas";

/** The columns of each kind of file, by header name; any order, each once. */
export const COLUMNS = {
  students: { required: ["sis_id", "name", "email"], optional: [] },
  courses: { required: ["sis_id", "code", "title"], optional: ["capacity", "waitlist_capacity"] },
  enrollments: { required: ["student_sis_id", "course_sis_id"], optional: ["status"] },
} as const satisfies Record<ImportType, { required: string[]; optional: string[] }>;

/** Where each column is in a row: column name → field index. */
export type ColumnIndex = Record<string, number>;

/**
 * Checks a header row against the columns of `type`: a 400 naming every missing, unknown or
 * repeated column (before the file is accepted). Names are trimmed; their case counts.
 */
export function columnIndex(type: ImportType, header: string[]): ColumnIndex {
  const { required, optional } = COLUMNS[type];
  const known = new Set<string>([...required, ...(optional as readonly string[])]);
  const names = header.map((name) => name.trim());
  const problems = [
    ...required
      .filter((name) => !names.includes(name))
      .map((name) => `missing the column "${name}"`),
    ...names.filter((name) => !known.has(name)).map((name) => `has an unknown column "${name}"`),
    ...names
      .filter((name, i) => names.indexOf(name) !== i)
      .map((name) => `has the column "${name}" twice`),
  ];
  if (problems.length > 0) {
    throw invalidRequest(
      "body",
      problems.map((message) => ({ path: "body.header", message })),
    );
  }
  return Object.fromEntries(names.map((name, i) => [name, i]));
}
