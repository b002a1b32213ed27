/** A comma-separated setting (tokens, origins) as its non-empty, trimmed items. */
export const commaList = (value: string | undefined): string[] =>
  (value ?? "")
    .split(",")
    .map((item) => item.trim())
    .filter(Boolean);
