/** What D1 reports of one call that reached the database (a statement, or a whole batch). */
export type D1Cost = { rows_read: number; rows_written: number };

/**
 * Wraps a real D1 binding, and the sessions it opens, and records what reaches the database:
 * each call that runs SQL (first/all/run/raw on a statement, batch, exec), the rows D1 says
 * it read and wrote for it, and every statement prepared, with the parameters bound to it.
 */
export function spyOnD1(d1: D1Database) {
  const costs: D1Cost[] = [];
  const statements: { sql: string; params: unknown[] }[] = [];
  const EXECUTING = new Set(["first", "all", "run", "raw"]);
  const cost = (metas: D1Meta[]) =>
    costs.push({
      rows_read: metas.reduce((sum, meta) => sum + meta.rows_read, 0),
      rows_written: metas.reduce((sum, meta) => sum + meta.rows_written, 0),
    });

  /**
   * `raw()` (drizzle's single statements) and `first()` drop D1's meta, so they run as `all()`,
   * one call still, and answer as they would: rows as arrays of their values, or the first.
   */
  async function execute(stmt: D1PreparedStatement, method: string, args: unknown[]) {
    if (method === "run") {
      const result = await stmt.run();
      cost([result.meta]);
      return result;
    }
    const result = await stmt.all<Record<string, unknown>>();
    cost([result.meta]);
    if (method === "all") return result;
    if (method === "raw") return result.results.map((row) => Object.values(row));
    const [row] = result.results;
    const column = args[0] as string | undefined;
    return column === undefined ? (row ?? null) : (row?.[column] ?? null);
  }

  const statement = (stmt: D1PreparedStatement, sql: string): D1PreparedStatement =>
    new Proxy(stmt, {
      get(target, key) {
        const value = Reflect.get(target, key, target);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (key === "bind") {
            statements.push({ sql, params: args });
            return statement(value.apply(target, args), sql);
          }
          if (EXECUTING.has(String(key))) return execute(target, String(key), args);
          return value.apply(target, args);
        };
      },
    });

  const wrap = <T extends object>(database: T): T =>
    new Proxy(database, {
      get(target, key) {
        const value = Reflect.get(target, key, target);
        if (typeof value !== "function") return value;
        return (...args: unknown[]) => {
          if (key === "prepare") return statement(value.apply(target, args), String(args[0]));
          if (key === "withSession") return wrap(value.apply(target, args));
          if (key === "batch") {
            return (value.apply(target, args) as Promise<D1Result[]>).then((results) => {
              cost(results.map((result) => result.meta));
              return results;
            });
          }
          // exec answers no meta: its cost is unknown, and no budget can pass it.
          if (key === "exec") costs.push({ rows_read: Number.NaN, rows_written: Number.NaN });
          return value.apply(target, args);
        };
      },
    });
  return { db: wrap(d1), calls: () => costs.length, costs, statements };
}
