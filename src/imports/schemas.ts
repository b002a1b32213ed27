import * as z from "zod/mini";
import { IMPORT_TYPES } from "../db/schema";
import { integerRangePattern } from "../lib/integer-range";
import { lazy } from "../lib/lazy";

/** Request shapes of /imports, checked by its routes; the types below are inferred from them. */

export type ImportType = (typeof IMPORT_TYPES)[number];

/** The largest file an import takes: 100 MiB. */
export const MAX_IMPORT_BYTES = 100 * 1024 * 1024;

/** The share of a sync's courses' enrollments it may drop unless told otherwise, in percent. */
export const DEFAULT_MAX_DROP_PERCENT = 10;

/**
 * `POST /imports?type=students|courses|enrollments[&mode=upsert|sync][&max_drop_percent=N][&dry_run=true]`.
 * A sync applies to enrollments only.
 */
export const importQuery = lazy(() =>
  z
    .strictObject({
      type: z.enum(IMPORT_TYPES),
      mode: z._default(z.enum(["upsert", "sync"]), "upsert"),
      max_drop_percent: z._default(
        z.pipe(
          z
            .string()
            .check(
              z.regex(
                new RegExp(`^(?:0|${integerRangePattern(100)})$`),
                "must be a whole number from 0 to 100",
              ),
            ),
          z.transform(Number),
        ),
        DEFAULT_MAX_DROP_PERCENT,
      ),
      dry_run: z._default(
        z.pipe(
          z.enum(["true", "false"]),
          z.transform((value) => value === "true"),
        ),
        false,
      ),
    })
    .check(
      z.refine((query) => query.mode !== "sync" || query.type === "enrollments", {
        message: "sync applies to enrollments only",
        path: ["mode"],
      }),
    ),
);

export type ImportRequest = z.output<ReturnType<typeof importQuery>>;
