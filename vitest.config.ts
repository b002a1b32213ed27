import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { TEST_TOKENS } from "./test/helpers/tokens.ts";

export default defineConfig(async () => ({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        // A second, empty D1 for test/db/migrations.test.ts, which applies the migrations one by one.
        d1Databases: { MIGRATION_DB: "migration-test" },
        ratelimits: {
          // The suite sends thousands of requests with one token: far above the real limit.
          RATE_LIMITER: { namespace_id: "1001", simple: { limit: 1_000_000, period: 60 } },
          // A small limit for test/routes/rate-limit.test.ts.
          TEST_RATE_LIMITER: { namespace_id: "1002", simple: { limit: 5, period: 60 } },
        },
        bindings: {
          // The real migrations, applied by test/helpers/apply-migrations.ts to each test file's D1.
          TEST_MIGRATIONS: await readD1Migrations(path.join(import.meta.dirname, "migrations")),
          // Two read-write tokens, as during a rotation.
          API_TOKEN: `${TEST_TOKENS.write}, ${TEST_TOKENS.rotated}`,
          API_READ_TOKEN: TEST_TOKENS.read,
          // Replays a fuzzing run: FUZZ_SEED=<the seed in the fuzz tests' names> npm test
          FUZZ_SEED: process.env.FUZZ_SEED ?? "",
        },
      },
    }),
  ],
  test: {
    setupFiles: ["./test/helpers/apply-migrations.ts", "./test/helpers/log-hygiene.ts"],
    // A loaded CI machine must not fail a test on time alone.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // The Worker logs every request; show those lines only for a test that failed.
    silent: "passed-only" as const,
  },
}));
