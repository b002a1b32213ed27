import { drizzle } from "drizzle-orm/d1";

/**
 * One drizzle client per request, on that request's D1 session: nothing is shared between
 * requests. Without a schema: no query here is relational, and drizzle would otherwise work
 * out the schema's relations anew for each client, 4% of a write's CPU in the profiles.
 * drizzle's types want a D1Database; a session has the same query API.
 */
export const database = (d1: D1Database | D1DatabaseSession) => drizzle(d1 as D1Database);

export type Database = ReturnType<typeof database>;
