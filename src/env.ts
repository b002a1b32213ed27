import type { Database } from "./db/client";
import type { RequestLogFields } from "./log";
import type { Principal } from "./middleware/auth";

/**
 * The app's environment, as Hono sees it: the bindings (`Env`, which `npm run cf-typegen`
 * generates from wrangler.toml into worker-configuration.d.ts) and what the middleware puts
 * on each request's context for the handlers.
 */
export type AppEnv = {
  Bindings: Env;
  Variables: {
    /** This request's id: X-Request-Id, the logs and problem bodies. */
    requestId: string;
    /** Who is calling, when the request carries a valid token. */
    principal: Principal | undefined;
    /** This request's drizzle client, on its own D1 session. */
    db: Database;
    /** Fields the handlers add to the request's one log line. */
    requestLogFields: RequestLogFields;
  };
};
