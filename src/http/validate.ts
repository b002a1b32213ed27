import { zValidator } from "@hono/zod-validator";
import * as z from "zod/mini";
import { describeIssue, REQUIRED } from "./issue-message";
import type { FieldError } from "./problem-body";
import { invalidRequest } from "./problems";

// zod's own way to set messages for every schema; a message on a schema still wins.
z.config({ localeError: describeIssue });

type Target = "json" | "query" | "param";

const PATH_PREFIX: Record<Target, string> = { json: "body", query: "query", param: "path" };

/** What a validator checks, kept on it so that a test can hold the OpenAPI operations to it. */
export const VALIDATES = Symbol("validates");

/**
 * Validates one part of the request with a zod schema, built (see lib/lazy.ts) on the route's
 * first request. A failure becomes a `validation_failed` problem listing every field error;
 * the raw zod result never leaves.
 */
export const validate = <T extends Target, S extends z.ZodMiniType>(target: T, schema: () => S) => {
  const build = () =>
    zValidator(target, schema(), (result) => {
      if (!result.success) {
        throw invalidRequest(
          PATH_PREFIX[target],
          result.error.issues.flatMap((issue) => fieldErrors(target, issue)),
        );
      }
    });
  let validator: ReturnType<typeof build> | undefined;
  const middleware: ReturnType<typeof build> = (c, next) => {
    validator ??= build();
    return validator(c, next);
  };
  return Object.assign(middleware, { [VALIDATES]: { target, schema } });
};

function fieldErrors(target: Target, issue: z.core.$ZodIssue): FieldError[] {
  const path = [PATH_PREFIX[target], ...issue.path.map(String)];
  // A body of several accepted forms: report the form the body came closest to, judged first
  // by its keys (the fewest missing or unknown ones), then by the number of errors.
  if (issue.code === "invalid_union" && issue.errors.length > 0) {
    const keyErrors = (branch: z.core.$ZodIssue[]) =>
      branch.filter(
        (i) =>
          i.code === "unrecognized_keys" || (i.code === "invalid_type" && i.message === REQUIRED),
      ).length;
    const closest = issue.errors.reduce((best, branch) =>
      keyErrors(branch) < keyErrors(best) ||
      (keyErrors(branch) === keyErrors(best) && branch.length < best.length)
        ? branch
        : best,
    );
    return closest.flatMap((inner) =>
      fieldErrors(target, { ...inner, path: [...issue.path, ...inner.path] }),
    );
  }
  // One entry per unknown key, each pointing at the key itself.
  if (issue.code === "unrecognized_keys") {
    return issue.keys.map((key) => ({
      path: [...path, key].join("."),
      message: "is not a known field",
    }));
  }
  return [{ path: path.join("."), message: issue.message }];
}
