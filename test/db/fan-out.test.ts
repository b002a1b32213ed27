import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { database } from "../../src/db/client";
import { fanOut } from "../../src/webhooks/dispatch";

// The dispatcher's fan-out on the real local D1 (migrations/0013): events written straight
// into the table, so no request wakes a dispatcher of its own meanwhile.

const all = async <T>(sql: string) => (await env.DB.prepare(sql).all<T>()).results;

it("makes one delivery per event and wanting subscription, across chunks, however many run at once", async () => {
  const receiver = `${env.WEBHOOK_RECEIVER}/ok/fan-out`;
  await env.DB.batch([
    env.DB.prepare(
      "INSERT INTO webhook_subscriptions (url, events, secret) VALUES (?1, '[\"student.updated\"]', 'unused'), (?1, '[\"course.created\"]', 'unused')",
    ).bind(receiver),
    // More events than two chunks of 500, all of the type the first subscription wants.
    env.DB.prepare(
      `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 1201)
       INSERT INTO webhook_events (type, data) SELECT 'student.updated', json_object('id', i) FROM n`,
    ),
  ]);

  await Promise.all([fanOut(database(env.DB)), fanOut(database(env.DB))]);

  expect(
    await all(
      "SELECT subscription_id, count(*) AS n, count(DISTINCT event_id) AS events FROM webhook_deliveries GROUP BY subscription_id",
    ),
  ).toEqual([{ subscription_id: 1, n: 1201, events: 1201 }]);
  expect(
    await all(
      "SELECT after_rowid = (SELECT max(rowid) FROM webhook_events) AS caught_up FROM webhook_fan_out",
    ),
  ).toEqual([{ caught_up: 1 }]);

  // Nothing new: a further run makes nothing.
  await fanOut(database(env.DB));
  expect(await all("SELECT count(*) AS n FROM webhook_deliveries")).toEqual([{ n: 1201 }]);
});
