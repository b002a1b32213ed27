/**
 * What travels on the webhooks queue: a wake-up for the dispatcher, which hands the pending
 * deliveries to the queue, or one delivery to attempt.
 */
export type WebhookMessage = { kind: "dispatch" } | { kind: "deliver"; delivery_id: number };
