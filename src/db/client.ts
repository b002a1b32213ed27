import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

/** One drizzle client per request: cheap to make, and nothing is shared between requests. */
export const database = (d1: D1Database) => drizzle(d1, { schema });

export type Database = ReturnType<typeof database>;
