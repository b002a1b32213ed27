import type { D1Migration } from "cloudflare:test";

// worker-configuration.d.ts (`npm run cf-typegen`) types the Worker's bindings and
// `exports.default`; these are the bindings vitest.config.ts adds for the tests alone.
declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      /** An empty D1 that only test/db/migrations.test.ts uses. */
      MIGRATION_DB: D1Database;
      /** A rate limiter of 5 requests a minute, for test/routes/rate-limit.test.ts. */
      TEST_RATE_LIMITER: RateLimit;
      /** Seed for test/fuzz (empty: a random one). */
      FUZZ_SEED: string;
      /** The loopback URL of the test webhook receiver that vitest.config.ts starts. */
      WEBHOOK_RECEIVER: string;
    }
  }
}
