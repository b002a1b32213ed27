import { env } from "cloudflare:workers";
import { is, SQL } from "drizzle-orm";
import { getTableConfig, SQLiteSyncDialect, SQLiteTable } from "drizzle-orm/sqlite-core";
import { describe, expect, it } from "vitest";
import * as schema from "../../src/db/schema";

// The drizzle schema and the SQL migrations describe the same tables; this proves they agree,
// reading the database that the real migrations built. Both sides are reduced to one shape.

const dialect = new SQLiteSyncDialect();
const tables = (Object.values(schema) as unknown[]).filter((value): value is SQLiteTable =>
  is(value, SQLiteTable),
);

const stripParens = (sql: string) => sql.replace(/^\((.*)\)$/s, "$1");
// Whitespace and identifier quotes differ between hand-written SQL and drizzle's.
const squeeze = (sql: string) => sql.replace(/\s+/g, " ").replaceAll('"', "").trim();

const sortByName = <T extends { name: unknown }>(items: T[]) =>
  items.sort((a, b) => String(a.name).localeCompare(String(b.name)));
const sortByColumns = <T extends { columns: unknown[] }>(items: T[]) =>
  items.sort((a, b) => a.columns.join().localeCompare(b.columns.join()));

function renderDefault(value: unknown): string | null {
  if (value === undefined) return null;
  if (is(value, SQL)) return stripParens(dialect.sqlToQuery(value).sql);
  return typeof value === "string" ? `'${value.replaceAll("'", "''")}'` : String(value);
}

function drizzleShape(table: SQLiteTable) {
  const config = getTableConfig(table);
  const pkColumns = config.primaryKeys.flatMap((pk) => pk.columns.map((c) => c.name));
  return {
    columns: config.columns.map((c) => ({
      name: c.name,
      type: c.getSQLType().toUpperCase(),
      notNull: c.notNull || c.primary,
      // Position in the primary key, from 1; 0 when not part of it (as PRAGMA table_info says).
      primaryKey: c.primary ? 1 : pkColumns.indexOf(c.name) + 1,
      default: renderDefault(c.default),
    })),
    autoIncrement: config.columns.some((c) => "autoIncrement" in c && c.autoIncrement === true),
    unique: [
      ...config.columns.filter((c) => c.isUnique).map((c) => [c.name]),
      ...config.uniqueConstraints.map((u) => u.columns.map((c) => c.name)),
      ...config.indexes
        .filter((i) => i.config.unique)
        .map((i) => i.config.columns.map((c) => (c as { name: string }).name)),
    ].sort(),
    indexes: sortByName(
      config.indexes
        .filter((i) => !i.config.unique)
        .map((i) => ({
          name: i.config.name,
          columns: i.config.columns.map((c) => (c as { name: string }).name),
        })),
    ),
    foreignKeys: sortByColumns(
      config.foreignKeys.map((fk) => {
        const ref = fk.reference();
        return {
          columns: ref.columns.map((c) => c.name),
          table: getTableConfig(ref.foreignTable).name,
          references: ref.foreignColumns.map((c) => c.name),
          onDelete: (fk.onDelete ?? "no action").toUpperCase(),
          onUpdate: (fk.onUpdate ?? "no action").toUpperCase(),
        };
      }),
    ),
    // drizzle qualifies column names with the table's; the SQL does not need to.
    checks: config.checks
      .map((check) =>
        squeeze(dialect.sqlToQuery(check.value).sql).replaceAll(`${config.name}.`, ""),
      )
      .sort(),
  };
}

type Row = Record<string, unknown>;
const pragma = async (sql: string) => (await env.DB.prepare(sql).all<Row>()).results;

async function databaseShape(name: string) {
  const createSql = squeeze(
    String(
      (await env.DB.prepare("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = ?")
        .bind(name)
        .first("sql")) ?? "",
    ),
  );
  const columns = await pragma(`PRAGMA table_info(${name})`);
  const indexList = await pragma(`PRAGMA index_list(${name})`);
  const indexColumns = async (index: unknown) =>
    (await pragma(`PRAGMA index_info(${String(index)})`)).map((r) => String(r.name));
  const fks = await pragma(`PRAGMA foreign_key_list(${name})`);
  const fkIds = [...new Set(fks.map((r) => Number(r.id)))];
  return {
    columns: columns.map((c) => ({
      name: c.name,
      type: c.type,
      notNull: c.notnull === 1 || Number(c.pk) > 0,
      primaryKey: Number(c.pk),
      default: c.dflt_value === null ? null : stripParens(String(c.dflt_value)),
    })),
    autoIncrement: /\bAUTOINCREMENT\b/i.test(createSql),
    unique: (
      await Promise.all(
        indexList
          .filter((i) => i.origin === "u" || (i.origin === "c" && i.unique === 1))
          .map((i) => indexColumns(i.name)),
      )
    ).sort(),
    indexes: sortByName(
      await Promise.all(
        indexList
          .filter((i) => i.origin === "c" && i.unique === 0)
          .map(async (i) => ({ name: i.name, columns: await indexColumns(i.name) })),
      ),
    ),
    foreignKeys: sortByColumns(
      fkIds.map((id) => {
        const parts = fks
          .filter((r) => Number(r.id) === id)
          .sort((a, b) => Number(a.seq) - Number(b.seq));
        return {
          columns: parts.map((r) => r.from),
          table: parts[0]?.table,
          references: parts.map((r) => r.to),
          onDelete: parts[0]?.on_delete,
          onUpdate: parts[0]?.on_update,
        };
      }),
    ),
    checks: [...createSql.matchAll(/\bCHECK \((.*?)\)(?=,|\s*\)\s*$)/g)]
      .map((m) => squeeze(m[1] ?? ""))
      .sort(),
  };
}

describe("the drizzle schema agrees with the migrations", () => {
  it("has the same tables", async () => {
    const { results } = await env.DB.prepare(
      "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '\\_cf\\_%' ESCAPE '\\' AND name <> 'd1_migrations' ORDER BY name",
    ).all<{ name: string }>();
    expect(results.map((r) => r.name)).toEqual(tables.map((t) => getTableConfig(t).name).sort());
  });

  it.each(tables.map((t) => [getTableConfig(t).name, t] as const))(
    "%s: columns, types, nullability, defaults, keys, indexes and checks",
    async (name, table) => {
      expect(await databaseShape(name)).toEqual(drizzleShape(table));
    },
  );
});
