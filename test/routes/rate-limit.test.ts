import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import wranglerToml from "../../wrangler.toml?raw";
import { appRequest, countRows, expectProblem } from "../helpers/api";

// Runs the app with TEST_RATE_LIMITER (5 requests a minute) in place of the real limiter.
// Every test uses its own tokens and addresses, so no count carries over.

const LIMIT = 5;

function limitedEnv() {
  const [writer, other] = [crypto.randomUUID(), crypto.randomUUID()];
  return {
    writer,
    other,
    env: {
      ...env,
      API_TOKEN: `${writer},${other}`,
      RATE_LIMITER: env.TEST_RATE_LIMITER,
      RATE_LIMIT: LIMIT,
      RATE_LIMIT_PERIOD: 60,
    },
  };
}

const send = (
  testEnv: object,
  headers: Record<string, string>,
  path = "/students",
  init: RequestInit = {},
) =>
  appRequest(
    new Request(`http://api.test${path}`, { ...init, headers: { ...headers, ...init.headers } }),
    testEnv,
  );

/** The limiter counts in windows aligned to the minute: a run that crosses one starts over. */
async function inOneWindow(run: () => Promise<void>) {
  const window = () => Math.floor(Date.now() / 60_000);
  const start = window();
  await run();
  if (window() !== start) await run();
}

it("limits each token on its own: the request past the limit is a 429 problem with Retry-After and RateLimit headers", async () => {
  await inOneWindow(async () => {
    const { writer, other, env: testEnv } = limitedEnv();
    const auth = { Authorization: `Bearer ${writer}` };
    for (let i = 0; i < LIMIT; i++) expect((await send(testEnv, auth)).status).toBe(200);
    const res = await send(testEnv, auth);
    const retryAfter = Number(res.headers.get("Retry-After"));
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
    expect({
      limit: res.headers.get("RateLimit-Limit"),
      remaining: res.headers.get("RateLimit-Remaining"),
      reset: res.headers.get("RateLimit-Reset"),
      policy: res.headers.get("RateLimit-Policy"),
    }).toEqual({ limit: "5", remaining: "0", reset: String(retryAfter), policy: "5;w=60" });
    await expectProblem(res, 429, "rate_limited");
    expect((await send(testEnv, { Authorization: `Bearer ${other}` })).status).toBe(200);
  });
});

it("changes nothing when it refuses a write", async () => {
  await inOneWindow(async () => {
    const { writer, env: testEnv } = limitedEnv();
    const auth = { Authorization: `Bearer ${writer}` };
    for (let i = 0; i < LIMIT; i++) await send(testEnv, auth);
    const email = `${crypto.randomUUID()}@example.org`;
    const res = await send(testEnv, { ...auth, "Content-Type": "application/json" }, "/students", {
      method: "POST",
      body: JSON.stringify({ name: "Late", email }),
    });
    await expectProblem(res, 429, "rate_limited");
    expect(await countRows("SELECT count(*) AS n FROM students WHERE email = ?", email)).toBe(0);
  });
});

it("counts callers without a valid token by client IP, so guessing tokens is limited too", async () => {
  await inOneWindow(async () => {
    const { writer, env: testEnv } = limitedEnv();
    const [ip, otherIp] = [`198.51.100.${Math.floor(Math.random() * 250)}`, "203.0.113.7"];
    for (let i = 0; i < LIMIT; i++) {
      expect(
        (await send(testEnv, { "CF-Connecting-IP": ip, Authorization: `Bearer guess-${i}` }))
          .status,
      ).toBe(401);
    }
    await expectProblem(
      await send(testEnv, { "CF-Connecting-IP": ip, Authorization: "Bearer guess-x" }),
      429,
      "rate_limited",
    );
    expect((await send(testEnv, { "CF-Connecting-IP": otherIp })).status).toBe(401);
    // A valid token is counted by the token, not by the address it comes from.
    expect(
      (await send(testEnv, { "CF-Connecting-IP": ip, Authorization: `Bearer ${writer}` })).status,
    ).toBe(200);
  });
});

it("counts every address of one IPv6 /64 together", async () => {
  await inOneWindow(async () => {
    const { env: testEnv } = limitedEnv();
    const prefix = `2001:db8:${Math.floor(Math.random() * 0xffff).toString(16)}:1`;
    for (let i = 0; i < LIMIT; i++)
      expect((await send(testEnv, { "CF-Connecting-IP": `${prefix}::${i + 1}` })).status).toBe(401);
    await expectProblem(
      await send(testEnv, { "CF-Connecting-IP": `${prefix}:ffff::99` }),
      429,
      "rate_limited",
    );
  });
});

it("never limits the health probe", async () => {
  const { env: testEnv } = limitedEnv();
  for (let i = 0; i < LIMIT + 2; i++) expect((await send(testEnv, {}, "/health")).status).toBe(200);
});

it("repeats the binding's limit and period in RATE_LIMIT and RATE_LIMIT_PERIOD (wrangler.toml)", () => {
  const simple = wranglerToml.match(
    /name = "RATE_LIMITER"[\s\S]*?simple = \{ limit = (\d+), period = (\d+) \}/,
  );
  const vars = [
    wranglerToml.match(/^RATE_LIMIT = (\d+)$/m)?.[1],
    wranglerToml.match(/^RATE_LIMIT_PERIOD = (\d+)$/m)?.[1],
  ];
  expect(simple?.slice(1, 3)).toEqual(vars);
  expect(vars.every(Boolean)).toBe(true);
});
