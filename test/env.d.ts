import type { D1Migration } from "cloudflare:test";
import type { Bindings } from "../src/env";

declare global {
  namespace Cloudflare {
    interface Env extends Bindings {
      TEST_MIGRATIONS: D1Migration[];
      /** The files of public/, which Static Assets serve before the Worker runs (the Worker itself never reads them). */
      ASSETS: Fetcher;
      /** An empty D1 that only test/migrations.test.ts uses. */
      MIGRATION_DB: D1Database;
      /** A rate limiter of 5 requests a minute, for test/rate-limit.test.ts. */
      TEST_RATE_LIMITER: RateLimit;
      /** Seed for test/fuzz (empty: a random one). */
      FUZZ_SEED: string;
    }
    interface GlobalProps {
      mainModule: typeof import("../src/index");
    }
  }
}
