import type * as z from "zod/mini";

/** The message for a missing field. */
export const REQUIRED = "is required";

// A repeated query parameter arrives as a list.
const ONE_VALUE = "must be a single value, not a list";

/**
 * Short English messages for zod issues. zod/mini says only "Invalid input" unless a locale
 * is loaded, and this is smaller than the full English locale. A message set on the schema
 * itself takes precedence over these.
 */
export function describeIssue(issue: z.core.$ZodRawIssue): string {
  switch (issue.code) {
    case "invalid_type":
      if (issue.input === undefined) return REQUIRED;
      if (issue.expected === "object") return "must be a JSON object";
      if (Array.isArray(issue.input)) return ONE_VALUE;
      return `must be ${issue.expected === "int" ? "an integer" : `a ${issue.expected}`}`;
    case "too_small":
      if (issue.origin === "string") return `must be at least ${issue.minimum} characters`;
      return issue.inclusive
        ? `must be at least ${issue.minimum}`
        : `must be greater than ${issue.minimum}`;
    case "too_big":
      if (issue.origin === "string") return `must be at most ${issue.maximum} characters`;
      return issue.inclusive
        ? `must be at most ${issue.maximum}`
        : `must be less than ${issue.maximum}`;
    case "invalid_value":
      if (Array.isArray(issue.input)) return ONE_VALUE;
      return `must be one of ${issue.values.map((v) => JSON.stringify(v)).join(", ")}`;
    default:
      return "is not valid";
  }
}
