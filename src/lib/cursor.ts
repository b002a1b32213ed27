/**
 * Opaque page cursors: the sort key of the last row a page returned, as base64url JSON.
 * Clients must not look inside; the server validates whatever comes back.
 */
export function encodeCursor(key: readonly (string | number)[]): string {
  return btoa(JSON.stringify(key)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** The longest cursor read: far more than any this server makes. */
export const MAX_CURSOR_LENGTH = 200;

/**
 * A cursor's syntax: base64url without padding, 1 to MAX_CURSOR_LENGTH characters. Only a
 * cursor the server made decodes to a place; the OpenAPI document can state no more than this.
 */
export const CURSOR_SYNTAX = new RegExp(`^[A-Za-z0-9_-]{1,${MAX_CURSOR_LENGTH}}$`);

/** The key inside a cursor, or undefined when it is not one this server could have made. */
export function decodeCursor(cursor: string): unknown[] | undefined {
  if (!CURSOR_SYNTAX.test(cursor)) return undefined;
  try {
    const key: unknown = JSON.parse(atob(cursor.replaceAll("-", "+").replaceAll("_", "/")));
    return Array.isArray(key) ? key : undefined;
  } catch {
    return undefined;
  }
}
