/**
 * A D1 binding whose every query fails with `error`, as the real one does in an outage:
 * statements prepare and bind, and fail when they run (or in a batch).
 */
export function failingD1(error: Error): D1Database {
  const fail = () => {
    const rejected = Promise.reject(error);
    rejected.catch(() => {});
    return rejected;
  };
  const statement = { bind: () => statement, first: fail, all: fail, run: fail, raw: fail };
  const db = {
    prepare: () => statement,
    batch: fail,
    exec: fail,
    withSession: () => db,
    getBookmark: () => null,
  };
  return db as unknown as D1Database;
}
