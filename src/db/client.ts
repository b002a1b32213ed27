import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

/**
 * One drizzle client per request, on that request's D1 session: cheap to make, and nothing is
 * shared between requests. drizzle's types want a D1Database; a session has the same query API.
 */
export const database = (d1: D1Database | D1DatabaseSession) =>
  drizzle(d1 as D1Database, { schema });

export type Database = ReturnType<typeof database>;
