import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { Webhook } from "../../src/webhooks/responses";
import { api, appRequest, expectProblem, type Page } from "../helpers/api";
import { TEST_TOKENS } from "../helpers/tokens";
import { receiverPath, subscribe } from "../helpers/webhooks";

// Subscriptions: what can be subscribed, by whom, and what is kept of the secret.

const RECEIVER = env.WEBHOOK_RECEIVER;

/** The bindings of a deployment: no local receiver allowed. */
const DEPLOYED = { ...env, WEBHOOKS_ALLOW_LOCAL_HTTP: "false" };

/** POST /webhooks as a deployed Worker answers it. */
const subscribeDeployed = (url: string) =>
  appRequest(
    new Request("http://api.test/webhooks", {
      method: "POST",
      headers: { Authorization: `Bearer ${TEST_TOKENS.write}`, "Content-Type": "application/json" },
      body: JSON.stringify({ url, events: ["*"] }),
    }),
    DEPLOYED,
  );

describe("POST /webhooks", () => {
  it("answers 201 with a whsec_ secret of at least 24 random bytes, shown only then", async () => {
    const created = await subscribe(receiverPath("ok"), ["enrollment.created", "student.deleted"]);
    expect(created).toMatchObject({
      events: ["enrollment.created", "student.deleted"],
      enabled: true,
      disabled_reason: null,
      description: null,
      previous_secret_until: null,
    });
    expect(created.secret).toMatch(/^whsec_[A-Za-z0-9+/]+=*$/);
    expect(atob(created.secret.slice("whsec_".length)).length).toBeGreaterThanOrEqual(24);
    const other = await subscribe(receiverPath("ok"));
    expect(other.secret).not.toBe(created.secret);

    const read = await (await api(`/webhooks/${created.id}`)).json();
    const list = (await (await api("/webhooks")).json()) as Page<Webhook>;
    expect(read).not.toHaveProperty("secret");
    expect(list.data.find((w) => w.id === created.id)).not.toHaveProperty("secret");
    expect(JSON.stringify(list)).not.toContain(created.secret);
  });

  it("keeps the secret encrypted: no row of the database holds it, or its bytes, in clear", async () => {
    const { id, secret } = await subscribe(receiverPath("ok"));
    const row = await env.DB.prepare("SELECT * FROM webhook_subscriptions WHERE id = ?")
      .bind(id)
      .first<Record<string, unknown>>();
    const stored = JSON.stringify(row);
    expect(stored).not.toContain(secret);
    expect(stored).not.toContain(secret.slice("whsec_".length));
    expect(row?.secret).toMatch(/^v1\./);
  });

  it("refuses an unknown event type, naming it, and stores nothing", async () => {
    const before = await env.DB.prepare("SELECT count(*) AS n FROM webhook_subscriptions").first();
    const res = await api("/webhooks", {
      method: "POST",
      json: { url: `${RECEIVER}/ok/x`, events: ["enrollment.created", "enrollment.exploded"] },
    });
    const problem = await expectProblem(res, 400, "validation_failed");
    expect(problem.errors).toEqual([
      { path: "body.events.1", message: expect.stringContaining('"enrollment.exploded"') },
    ]);
    expect(await env.DB.prepare("SELECT count(*) AS n FROM webhook_subscriptions").first()).toEqual(
      before,
    );
  });

  it.each([
    ["http://hooks.example.org/", "must use https"],
    ["https://user:pw@hooks.example.org/", "user name"],
    ["https://localhost/hook", "public host"],
    ["https://intranet/hook", "public host"],
    ["https://metadata.google.internal/computeMetadata/v1/", "public host"],
    ["https://10.1.2.3/", "IPv4"],
    ["https://172.31.255.255/", "IPv4"],
    ["https://192.168.0.10/", "IPv4"],
    ["https://100.100.0.1/", "IPv4"],
    ["https://169.254.169.254/latest/meta-data/", "IPv4"],
    ["https://127.1/", "IPv4"],
    ["https://0x7f000001/", "IPv4"],
    ["https://2130706433/", "IPv4"],
    ["https://[::1]/", "IPv6"],
    ["https://[::ffff:127.0.0.1]/", "IPv6"],
    ["https://[fd00:ec2::254]/", "IPv6"],
    ["https://[fe80::1%25eth0]/", ""],
    ["https://localhost./hook", "public host"],
    ["https://metadata.google.internal./computeMetadata/v1/", "public host"],
    ["https://printer.local./", "public host"],
    ["https://[64:ff9b::a00:1]/", "IPv6"],
    ["https://[2002:a9fe:a9fe::]/", "IPv6"],
    ["https://[64:ff9b:1::a00:1]/", "IPv6"],
    ["https://[2001:0:4136:e378:8000:63bf:3fff:fdd2]/", "IPv6"],
    ["https://10.0.0.1../", "IPv4"],
    ["ftp://hooks.example.org/", "https"],
  ])("refuses %s (SSRF) with a 400 on body.url", async (url, message) => {
    const res = await subscribeDeployed(url);
    const problem = await expectProblem(res, 400, "validation_failed");
    expect(problem.errors?.[0]?.path).toBe("body.url");
    expect(problem.errors?.[0]?.message).toContain(message);
  });

  it("takes a public https URL, and a local http one only where the deployment allows it", async () => {
    const publicUrl = await api("/webhooks", {
      method: "POST",
      json: { url: "https://hooks.example.org/enrollments?token=abc", events: ["*"] },
    });
    expect(publicUrl.status).toBe(201);
    // Disabled at once: the tests reach no host but the loopback.
    const { id } = (await publicUrl.json()) as Webhook;
    expect(
      (await api(`/webhooks/${id}`, { method: "PATCH", json: { enabled: false } })).status,
    ).toBe(200);

    const local = { url: `${RECEIVER}/ok/local`, events: ["*"] };
    const deployed = { ...env, WEBHOOKS_ALLOW_LOCAL_HTTP: "false" };
    const request = () =>
      new Request("http://api.test/webhooks", {
        method: "POST",
        headers: {
          Authorization: `Bearer ${TEST_TOKENS.write}`,
          "Content-Type": "application/json",
        },
        body: JSON.stringify(local),
      });
    const refused = await appRequest(request(), deployed);
    expect((await expectProblem(refused, 400, "validation_failed")).errors?.[0]?.message).toBe(
      "must use https",
    );
  });
});

describe("scopes", () => {
  it("a read-only token can neither subscribe nor read subscriptions: a URL can hold credentials", async () => {
    const { id } = await subscribe(receiverPath("ok"));
    const attempts = [
      api("/webhooks", {
        method: "POST",
        token: TEST_TOKENS.read,
        json: { url: `${RECEIVER}/ok/r`, events: ["*"] },
      }),
      api("/webhooks", { token: TEST_TOKENS.read }),
      api(`/webhooks/${id}`, { token: TEST_TOKENS.read }),
      api(`/webhooks/${id}/deliveries`, { token: TEST_TOKENS.read }),
    ];
    for (const res of await Promise.all(attempts))
      await expectProblem(res, 403, "insufficient_scope");
  });
});

describe("PATCH, DELETE and rotation", () => {
  it("changes the URL, events and description, and says which fields may change", async () => {
    const { id } = await subscribe(receiverPath("ok"));
    const res = await api(`/webhooks/${id}`, {
      method: "PATCH",
      json: { events: ["course.created"], description: "  Registrar sync  " },
    });
    expect(await res.json()).toMatchObject({
      id,
      events: ["course.created"],
      description: "Registrar sync",
    });
    await expectProblem(
      await api(`/webhooks/${id}`, { method: "PATCH", json: {} }),
      400,
      "validation_failed",
    );
    await expectProblem(
      await api("/webhooks/999999", { method: "PATCH", json: { enabled: true } }),
      404,
      "webhook_not_found",
    );
  });

  it("rotates the secret: a new one, with the old one signing beside it for 24 hours", async () => {
    const created = await subscribe(receiverPath("ok"));
    const res = await api(`/webhooks/${created.id}/secret`, { method: "POST" });
    const rotated = (await res.json()) as Webhook & { secret: string };
    expect(rotated.secret).toMatch(/^whsec_/);
    expect(rotated.secret).not.toBe(created.secret);
    const until = Date.parse(rotated.previous_secret_until ?? "");
    expect(until - Date.now()).toBeGreaterThan(23.9 * 3600_000);
    expect(until - Date.now()).toBeLessThanOrEqual(24 * 3600_000);
  });

  it("deletes a subscription with its deliveries", async () => {
    const { id } = await subscribe(receiverPath("ok"));
    expect((await api(`/webhooks/${id}`, { method: "DELETE" })).status).toBe(204);
    await expectProblem(await api(`/webhooks/${id}`), 404, "webhook_not_found");
    await expectProblem(
      await api(`/webhooks/${id}`, { method: "DELETE" }),
      404,
      "webhook_not_found",
    );
    await expectProblem(await api(`/webhooks/${id}/deliveries`), 404, "webhook_not_found");
  });
});
