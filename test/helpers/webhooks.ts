import { env } from "cloudflare:workers";
import { expect } from "vitest";
import type { Webhook } from "../../src/webhooks/responses";
import { api } from "./api";

// The tests' webhook receiver (vitest.config.ts): a real HTTP server on the loopback that
// verifies every delivery with the `standardwebhooks` package.

export type Received = {
  id: string;
  status: number;
  body: string;
  headers: Record<string, string>;
  verified: boolean;
  tamperedRefused: boolean;
};

/** A path of the receiver no other test uses; `behaviour` is how it answers (ok, flaky, gone, moved, slow). */
export const receiverPath = (behaviour: "ok" | "flaky" | "gone" | "moved" | "slow") =>
  `/${behaviour}/${crypto.randomUUID()}`;

/** Subscribes the receiver's `path` to `events`, and tells the receiver the secret to verify with. */
export async function subscribe(
  path: string,
  events: string[] = ["*"],
): Promise<Webhook & { secret: string }> {
  const res = await api("/webhooks", {
    method: "POST",
    json: { url: `${env.WEBHOOK_RECEIVER}${path}`, events },
  });
  expect(res.status).toBe(201);
  const created = (await res.json()) as Webhook & { secret: string };
  await useSecret(path, created.secret);
  return created;
}

/** Tells the receiver to verify deliveries to `path` with `secret`. */
export const useSecret = (path: string, secret: string) =>
  fetch(`${env.WEBHOOK_RECEIVER}/_secret${path}`, { method: "POST", body: secret });

/** What the receiver got at `path` so far, in order of arrival. */
export async function received(path: string): Promise<Received[]> {
  return (await (await fetch(`${env.WEBHOOK_RECEIVER}/_log${path}`)).json()) as Received[];
}

/**
 * Reads until `done` holds for what `read` answers, or `withinMs` pass: the queue's consumer
 * works after the request that caused the work, a second or more later.
 */
export async function eventually<T>(
  read: () => Promise<T>,
  done: (value: T) => boolean,
  withinMs = 20_000,
) {
  const deadline = Date.now() + withinMs;
  for (;;) {
    const value = await read();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`not yet done: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** What the receiver got at `path`, once `done` holds for it. */
export const receivedUntil = (path: string, done: (got: Received[]) => boolean) =>
  eventually(() => received(path), done);

/** The subscription, once its deliveries have disabled it. */
export const disabled = (id: number) =>
  eventually(
    async () => (await (await api(`/webhooks/${id}`)).json()) as Webhook,
    (subscription) => !subscription.enabled,
  );
