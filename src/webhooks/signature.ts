import { secretKeyBytes } from "./secrets";

// Standard Webhooks signatures (https://www.standardwebhooks.com): HMAC-SHA256 of
// `{webhook-id}.{webhook-timestamp}.{body}` with the secret's bytes, as `v1,<base64>`; one
// per secret, space-separated, while a rotated-out secret still signs.

async function signOne(secret: string, content: Uint8Array): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    secretKeyBytes(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, content));
  return `v1,${btoa(String.fromCharCode(...mac))}`;
}

/** The `webhook-signature` header for a delivery: a signature by each of `secrets`. */
export async function signatureHeader(
  secrets: string[],
  id: string,
  timestamp: number,
  body: string,
): Promise<string> {
  const content = new TextEncoder().encode(`${id}.${timestamp}.${body}`);
  const signatures = await Promise.all(secrets.map((secret) => signOne(secret, content)));
  return signatures.join(" ");
}
