import {
  createExecutionContext,
  createScheduledController,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { EVERY_MINUTE } from "../../src/scheduled";
import { type Delivery, eventPayload, type Webhook } from "../../src/webhooks/responses";
import { api, createCourse, createStudent, expectProblem, type Page } from "../helpers/api";
import {
  disabled,
  eventually,
  type Received,
  received,
  receivedUntil,
  receiverPath,
  subscribe,
  useSecret,
} from "../helpers/webhooks";

// End to end, with nothing of ours mocked: a write commits its events in D1 (triggers), wakes
// the dispatcher through the real queue, whose consumer POSTs each delivery to a real HTTP
// receiver on the loopback, which verifies it with the `standardwebhooks` package. The
// retry schedule is shortened for the tests to 1 s between attempts (vitest.config.ts).

/** Every delivery the receiver got: signed by us, verified by the library, a tampered copy refused. */
function expectGenuine(got: Received[]) {
  for (const delivery of got) {
    expect(delivery, "verified").toMatchObject({ verified: true, tamperedRefused: true });
    expect(delivery.id).toMatch(/^evt_[0-9a-f]{24}$/);
    expect(delivery.headers["webhook-id"]).toBe(delivery.id);
    expect(Number(delivery.headers["webhook-timestamp"])).toBeCloseTo(Date.now() / 1000, -2);
    expect(delivery.headers["content-type"]).toBe("application/json");
    expect(eventPayload.safeParse(JSON.parse(delivery.body)).success, delivery.body).toBe(true);
  }
}

const payload = (delivery: Received) =>
  JSON.parse(delivery.body) as { type: string; timestamp: string; data: Record<string, unknown> };

async function deliveriesOf(id: number, status = "") {
  const res = await api(`/webhooks/${id}/deliveries${status && `?status=${status}`}`);
  expect(res.status).toBe(200);
  return ((await res.json()) as Page<Delivery>).data;
}

describe("delivery", () => {
  it("announces a committed write within seconds, signed, with ids and no personal data", async () => {
    const path = receiverPath("ok");
    await subscribe(path, ["student.created", "student.updated"]);
    const student = await createStudent({ name: "Ada Lovelace", email: "ada@example.org" });
    await api(`/students/${student.id}`, { method: "PATCH", json: { email: "ada.l@example.org" } });

    const got = await receivedUntil(path, (d) => d.length >= 2);
    expectGenuine(got);
    const events = got.map(payload).sort((a, b) => a.type.localeCompare(b.type));
    expect(events).toEqual([
      {
        type: "student.created",
        timestamp: expect.any(String),
        data: { id: student.id, created_at: student.created_at },
      },
      {
        type: "student.updated",
        timestamp: expect.any(String),
        data: { id: student.id, fields: ["email"] },
      },
    ]);
    for (const delivery of got) {
      expect(delivery.body).not.toMatch(/Ada|Lovelace|example\.org/);
    }
  });

  it("announces nothing a refused write did not commit", async () => {
    const path = receiverPath("ok");
    const { id } = await subscribe(path, ["student.created"]);
    const taken = await createStudent();
    const refused = await api("/students", {
      method: "POST",
      json: { name: "Copy", email: taken.email },
    });
    expect(refused.status).toBe(409);
    const marker = await createStudent();
    const got = await receivedUntil(path, (d) =>
      d.some((delivery) => payload(delivery).data.id === marker.id),
    );
    // Subscribed before `taken` was created: its event and the marker's, nothing between.
    expect(got.map((delivery) => payload(delivery).data.id).sort()).toEqual(
      [taken.id, marker.id].sort(),
    );
    expect(await deliveriesOf(id, "succeeded")).toHaveLength(2);
  });

  it("carries every enrollment status change: created, waitlisted, dropped and the promotion", async () => {
    const path = receiverPath("ok");
    await subscribe(path, [
      "enrollment.created",
      "enrollment.waitlisted",
      "enrollment.dropped",
      "enrollment.promoted",
      "enrollment.reactivated",
    ]);
    const course = await createCourse();
    await api(`/courses/${course.id}`, { method: "PATCH", json: { capacity: 1 } });
    const [first, second] = [await createStudent(), await createStudent()];
    for (const student of [first, second])
      await api(`/students/${student.id}/courses`, {
        method: "POST",
        json: { course_id: course.id },
      });
    await api(`/students/${first.id}/courses/${course.id}`, { method: "DELETE" });
    await api(`/students/${first.id}/courses`, { method: "POST", json: { course_id: course.id } });

    const got = await receivedUntil(path, (d) => d.length >= 5);
    expectGenuine(got);
    const seen = got.map(payload).map(({ type, data }) => [type, data.student_id, data.status]);
    expect(seen).toEqual(
      expect.arrayContaining([
        ["enrollment.created", first.id, "active"],
        ["enrollment.waitlisted", second.id, "waitlisted"],
        ["enrollment.dropped", first.id, "dropped"],
        ["enrollment.promoted", second.id, "active"],
        // Back, to the back of the line: the seat went to the student who waited.
        ["enrollment.waitlisted", first.id, "waitlisted"],
      ]),
    );
    expect(seen).toHaveLength(5);
    const waitlisted = got.map(payload).find((e) => e.type === "enrollment.waitlisted");
    expect(waitlisted?.data.waitlist_position).toBe(1);
  });

  it("retries a receiver that fails three times, until it answers 200, each time with the same webhook-id", async () => {
    const path = receiverPath("flaky");
    const { id } = await subscribe(path, ["course.created"]);
    const course = await createCourse();
    const got = await receivedUntil(path, (d) => d.some((delivery) => delivery.status === 200));
    expectGenuine(got);
    expect(got.map((delivery) => delivery.status)).toEqual([500, 500, 500, 200]);
    expect(new Set(got.map((delivery) => delivery.id)).size).toBe(1);
    expect(payload(got[0] as Received).data.id).toBe(course.id);
    expect(new Set(got.map((delivery) => delivery.body)).size).toBe(1);
    const [delivery] = await deliveriesOf(id);
    expect(delivery).toMatchObject({
      event_type: "course.created",
      status: "succeeded",
      attempts: 4,
      last_status_code: 200,
      next_attempt_at: null,
    });
    const subscription = (await (await api(`/webhooks/${id}`)).json()) as Webhook;
    expect(subscription.enabled).toBe(true);
  });

  it("disables a subscription whose receiver answers 410, and PATCH enables it again", async () => {
    const path = receiverPath("gone");
    const { id } = await subscribe(path, ["course.created"]);
    await createCourse();
    await receivedUntil(path, (d) => d.length >= 1);
    expect(await disabled(id)).toMatchObject({ enabled: false, disabled_reason: "gone" });
    const [delivery] = await deliveriesOf(id);
    expect(delivery).toMatchObject({ status: "failed", attempts: 1, last_status_code: 410 });

    // Disabled: a change is not even recorded for it, and its failed delivery is not retried.
    await createCourse();
    expect(await deliveriesOf(id)).toHaveLength(1);
    const retry = () => api(`/webhooks/${id}/deliveries/${delivery?.id}/retry`, { method: "POST" });
    await expectProblem(await retry(), 409, "webhook_disabled");
    expect((await deliveriesOf(id))[0]).toMatchObject({ status: "failed", attempts: 1 });
    const enabled = await api(`/webhooks/${id}`, { method: "PATCH", json: { enabled: true } });
    expect(await enabled.json()).toMatchObject({ enabled: true, disabled_reason: null });
    expect((await retry()).status).toBe(202);
  });

  it("follows no redirect, gives up after the last attempt, and sends a failed delivery again on request", async () => {
    const path = receiverPath("moved");
    const { id } = await subscribe(path, ["course.created"]);
    await createCourse();
    // Five attempts: the first and one after each of the four waits of the tests' schedule.
    const got = await receivedUntil(path, (d) => d.length >= 5);
    expect(got.map((delivery) => delivery.status)).toEqual([307, 307, 307, 307, 307]);
    const [delivery] = await eventually(
      () => deliveriesOf(id),
      ([last]) => last?.status === "failed",
    );
    expect(delivery).toMatchObject({ status: "failed", attempts: 5, last_status_code: 307 });

    const retry = await api(`/webhooks/${id}/deliveries/${delivery?.id}/retry`, { method: "POST" });
    expect(retry.status).toBe(202);
    const again = await receivedUntil(path, (d) => d.length >= 6);
    expect(again.at(-1)?.id).toBe(got[0]?.id);
    const pending = await api(`/webhooks/${id}/deliveries/${delivery?.id}/retry`, {
      method: "POST",
    });
    expect(pending.status).toBe(409);
  });

  it("gives up on a receiver that answers nothing for 10 seconds, and tries it again", {
    timeout: 60_000,
  }, async () => {
    const path = receiverPath("slow");
    const { id } = await subscribe(path, ["course.created"]);
    const sent = Date.now();
    await createCourse();
    const [delivery] = await eventually(
      () => deliveriesOf(id),
      ([first]) => (first?.attempts ?? 0) >= 1,
      40_000,
    );
    // Recorded as a timeout, not as the 200 the receiver sends 15 s after the request came.
    expect(delivery).toMatchObject({
      status: "pending",
      attempts: 1,
      last_status_code: null,
      last_error: "timeout",
    });
    expect(Date.now() - sent).toBeGreaterThanOrEqual(10_000);
    expect(delivery?.next_attempt_at).not.toBeNull();
    await receivedUntil(path, (d) => d.length >= 2);
    // Deleted, the subscription is tried no more.
    expect((await api(`/webhooks/${id}`, { method: "DELETE" })).status).toBe(204);
  });

  it("signs with the old and the new secret for a day after a rotation", async () => {
    const path = receiverPath("ok");
    const created = await subscribe(path, ["course.created"]);
    const rotated = (await (
      await api(`/webhooks/${created.id}/secret`, { method: "POST" })
    ).json()) as { secret: string };
    await createCourse();
    const [delivery] = await receivedUntil(path, (d) => d.length >= 1);
    // Verified above with the old secret; the header carries a signature by each.
    expect(delivery?.verified).toBe(true);
    expect(delivery?.headers["webhook-signature"]?.split(" ")).toHaveLength(2);

    /** The next delivery, at a new receiver that verifies with the rotated secret. */
    const verifiedWithNewSecret = async () => {
      const next = receiverPath("ok");
      await api(`/webhooks/${created.id}`, {
        method: "PATCH",
        json: { url: `${env.WEBHOOK_RECEIVER}${next}` },
      });
      await useSecret(next, rotated.secret);
      await createCourse();
      const [got] = await receivedUntil(next, (d) => d.length >= 1);
      expect(got?.verified).toBe(true);
      return got;
    };
    await verifiedWithNewSecret();

    // A day later, the old secret signs no more.
    await env.DB.prepare(
      "UPDATE webhook_subscriptions SET previous_secret_until = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-1 minute') WHERE id = ?",
    )
      .bind(created.id)
      .run();
    const afterADay = await verifiedWithNewSecret();
    expect(afterADay?.headers["webhook-signature"]?.split(" ")).toHaveLength(1);
  });

  it("disables a subscription whose deliveries have failed for three days", async () => {
    const path = receiverPath("moved");
    const { id } = await subscribe(path, ["course.created"]);
    await env.DB.prepare(
      "UPDATE webhook_subscriptions SET failing_since = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-3 days', '-1 minute') WHERE id = ?",
    )
      .bind(id)
      .run();
    await createCourse();
    await receivedUntil(path, (d) => d.length >= 1);
    expect(await disabled(id)).toMatchObject({ enabled: false, disabled_reason: "failing" });
  });
});

describe("the Cron Triggers", () => {
  async function runCron(cron = EVERY_MINUTE) {
    const controller = createScheduledController({ cron, scheduledTime: new Date() });
    const ctx = createExecutionContext();
    await worker.scheduled(controller, env, ctx);
    await waitOnExecutionContext(ctx);
  }

  it("makes and queues the deliveries of changes no request woke the dispatcher for, and again one whose message was lost", async () => {
    // A wake-up an earlier test's write left on the queue has woken the dispatcher by now.
    await new Promise((resolve) => setTimeout(resolve, 4000));
    const path = receiverPath("ok");
    const { id } = await subscribe(path, ["student.updated"]);
    // Made and changed in the database directly: the triggers record the events, and no
    // request wakes the dispatcher (nor did one since the subscription).
    const insert = env.DB.prepare(
      "INSERT INTO students (name, email) VALUES ('Cron', ?) RETURNING id",
    );
    const missed = await insert.bind("cron-missed@example.org").first<{ id: number }>();
    const lost = await insert.bind("cron-lost@example.org").first<{ id: number }>();
    if (!missed || !lost) throw new Error("no student inserted");
    const rename = (studentId: number) =>
      env.DB.prepare("UPDATE students SET name = 'Renamed', version = version + 1 WHERE id = ?")
        .bind(studentId)
        .run();
    await rename(missed.id);
    await rename(lost.id);
    // Longer than a wake-up takes to reach the consumer: the events wait for the dispatcher.
    await new Promise((resolve) => setTimeout(resolve, 3500));
    expect(await deliveriesOf(id)).toEqual([]);
    expect(await received(path)).toEqual([]);

    await runCron();
    const got = await receivedUntil(path, (d) => d.length >= 2);
    expectGenuine(got);
    expect(got.map((delivery) => payload(delivery).data.id).sort()).toEqual(
      [missed.id, lost.id].sort(),
    );

    // Both recorded; then one of them as if handed to the queue 20 minutes ago, its message
    // never delivered.
    await eventually(
      () => deliveriesOf(id, "succeeded"),
      (done) => done.length === 2,
    );
    await env.DB.prepare(
      `UPDATE webhook_deliveries SET state = 'queued', queued_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-20 minutes'), next_attempt_at = NULL
       WHERE subscription_id = ? AND event_id = (SELECT id FROM webhook_events WHERE type = 'student.updated' AND json_extract(data, '$.id') = ?)`,
    )
      .bind(id, lost.id)
      .run();
    await runCron();
    const again = await receivedUntil(path, (d) => d.length >= 3);
    expectGenuine(again);
    const resent = again.filter((delivery) => payload(delivery).data.id === lost.id);
    expect(resent).toHaveLength(2);
    // The same event, so the same webhook-id: a receiver that dedupes sees it once.
    expect(new Set(resent.map((delivery) => delivery.id)).size).toBe(1);
  });

  it("deletes, hourly, the events older than 30 days with their deliveries, and keeps the rest", async () => {
    const path = receiverPath("ok");
    const { id } = await subscribe(path, ["course.created"]);
    const [old, recent] = [await createCourse(), await createCourse()];
    await receivedUntil(path, (d) => d.length >= 2);
    await env.DB.prepare(
      "UPDATE webhook_events SET created_at = strftime('%Y-%m-%dT%H:%M:%fZ', 'now', '-31 days') WHERE json_extract(data, '$.id') = ? AND type = 'course.created'",
    )
      .bind(old.id)
      .run();
    await runCron("17 * * * *");
    const left = await deliveriesOf(id);
    expect(left).toHaveLength(1);
    const [kept] = await env.DB.prepare(
      "SELECT json_extract(data, '$.id') AS course FROM webhook_events WHERE id = ?",
    )
      .bind(left[0]?.event_id)
      .raw();
    expect(kept).toEqual([recent.id]);
  });
});
