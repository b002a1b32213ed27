/**
 * Opaque page cursors: the sort key of the last row a page returned, as base64url JSON.
 * Clients must not look inside; the server validates whatever comes back.
 */
export function encodeCursor(key: readonly (string | number)[]): string {
  return btoa(JSON.stringify(key)).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** The key inside a cursor, or undefined when it is not one this server could have made. */
export function decodeCursor(cursor: string): unknown[] | undefined {
  if (!/^[A-Za-z0-9_-]{1,200}$/.test(cursor)) return undefined;
  try {
    const key: unknown = JSON.parse(atob(cursor.replaceAll("-", "+").replaceAll("_", "/")));
    return Array.isArray(key) ? key : undefined;
  } catch {
    return undefined;
  }
}
