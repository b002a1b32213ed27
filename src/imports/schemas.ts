import * as z from "zod/mini";
import type { IMPORT_TYPES } from "../db/schema";
import { lazy } from "../lib/lazy";

/** Request shapes of /imports, checked by its routes; the types below are inferred from them. */

export type ImportType = (typeof IMPORT_TYPES)[number];

/** The largest file an import takes: 100 MiB. */
export const MAX_IMPORT_BYTES = 100 * 1024 * 1024;

/** The kinds of file an import takes. */
export const IMPORTABLE = ["students", "courses", "enrollments"] as const satisfies ImportType[];
export type Importable = (typeof IMPORTABLE)[number];

export const isImportable = (type: ImportType): type is Importable =>
  (IMPORTABLE as readonly ImportType[]).includes(type);

/** `POST /imports?type=students|courses|enrollments[&dry_run=true]`. */
export const importQuery = lazy(() =>
  z.strictObject({
    type: z.enum(IMPORTABLE),
    dry_run: z._default(
      z.pipe(
        z.enum(["true", "false"]),
        z.transform((value) => value === "true"),
      ),
      false,
    ),
  }),
);

export type ImportRequest = z.output<ReturnType<typeof importQuery>>;
