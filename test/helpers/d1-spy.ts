/**
 * Wraps a real D1 binding, and the sessions it opens, and records what reaches the database:
 * each call that runs SQL (first/all/run/raw on a statement, batch, exec) and every statement
 * prepared, with the parameters bound to it.
 */
export function spyOnD1(d1: D1Database) {
  let calls = 0;
  const statements: { sql: string; params: unknown[] }[] = [];
  const EXECUTING = new Set(["first", "all", "run", "raw"]);

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
          if (EXECUTING.has(String(key))) calls += 1;
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
          if (key === "batch" || key === "exec") calls += 1;
          return value.apply(target, args);
        };
      },
    });
  return { db: wrap(d1), calls: () => calls, statements };
}
