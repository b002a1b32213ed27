import type { Context } from "hono";
import * as z from "zod/mini";
import { lazy } from "./lib/lazy";

export const healthBody = lazy(() => z.strictObject({ status: z.literal("ok") }));

/** The health probe: the Worker runs and answers. It needs no token and touches no database. */
export const health = (c: Context) =>
  c.json({ status: "ok" } satisfies z.output<ReturnType<typeof healthBody>>);
