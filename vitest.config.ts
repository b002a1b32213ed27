import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";
import { startReceiver, verify } from "./scripts/webhook-receiver.js";
import { TEST_TOKENS } from "./test/helpers/tokens.ts";

const LOOPBACK = /^(127\.0\.0\.1|localhost|\[::1\])$/;

/**
 * A real webhook receiver on the loopback for the tests (test/routes/webhook-delivery.test.ts),
 * each test on paths of its own. Its first path segment says how it answers: `ok` 200,
 * `flaky` 500 to the first three attempts of each event then 200, `gone` 410, `moved` 307,
 * `slow` 200 but only after 15 s, beyond the Worker's 10-s timeout.
 * POST /_secret/<path> tells it the secret to verify deliveries to <path> with; GET
 * /_log/<path> lists what it received there, each with the verdict of `standardwebhooks`.
 */
async function testReceiver() {
  const secrets = new Map<string, string>();
  const log = new Map<string, object[]>();
  const attempts = new Map<string, number>();
  const ANSWERS: Record<string, (tries: number) => number> = {
    ok: () => 200,
    flaky: (tries) => (tries <= 3 ? 500 : 200),
    gone: () => 410,
    moved: () => 307,
    slow: () => 200,
  };
  const receiver = await startReceiver({
    handle({ method, path, headers, body }) {
      const [, first = "", ...rest] = path.split("/");
      const target = `/${rest.join("/")}`;
      if (first === "_secret") {
        secrets.set(target, body);
        return { status: 204 };
      }
      if (first === "_log") return { status: 200, body: JSON.stringify(log.get(target) ?? []) };
      const answer = ANSWERS[first];
      if (method !== "POST" || !answer) return { status: 404 };
      const key = `${path} ${headers["webhook-id"]}`;
      const tries = (attempts.get(key) ?? 0) + 1;
      attempts.set(key, tries);
      const status = answer(tries);
      const secret = secrets.get(path) ?? "whsec_";
      const entry = {
        id: headers["webhook-id"],
        status,
        body,
        headers,
        ...verify(secret, body, headers),
      };
      log.set(path, [...(log.get(path) ?? []), entry]);
      return { status, delayMs: first === "slow" ? 15_000 : 0 };
    },
  });
  receiver.unref();
  return receiver;
}

export default defineConfig(async () => ({
  plugins: [
    cloudflareTest({
      wrangler: { configPath: "./wrangler.toml" },
      miniflare: {
        // The Worker's outbound fetches (webhook deliveries) reach the loopback only: a test that
        // subscribes a public URL gets a 502 from here, never a request to the internet.
        outboundService: async (request: Request) =>
          LOOPBACK.test(new URL(request.url).hostname)
            ? fetch(request.url, {
                method: request.method,
                headers: request.headers,
                body: ["GET", "HEAD"].includes(request.method) ? undefined : await request.text(),
                redirect: "manual",
              })
            : new Response("The tests reach no host but the loopback.", { status: 502 }),
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
          // A key for the tests only (32 bytes, base64).
          WEBHOOK_SECRET_KEY: "dGVzdC1vbmx5LXdlYmhvb2stc2VjcmV0LWtleSEhISE=",
          WEBHOOKS_ALLOW_LOCAL_HTTP: "true",
          // Seconds between attempts: short, so a test sees a receiver's recovery.
          WEBHOOK_RETRY_SCHEDULE: "1,1,1,1",
          WEBHOOK_RECEIVER: (await testReceiver()).url,
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
