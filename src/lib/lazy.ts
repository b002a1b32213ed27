/**
 * A value built on its first use rather than when the Worker starts. Every zod schema is made
 * this way: building them was most of a cold isolate's startup CPU (docs/performance.md,
 * "Size and startup"), and an isolate then builds only the schemas of the routes it serves.
 */
export function lazy<T>(build: () => T): () => T {
  let value: T | undefined;
  return () => {
    value ??= build();
    return value;
  };
}
