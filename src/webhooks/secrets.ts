import { commaList } from "../lib/comma-list";

// Signing secrets: made here, shown once, stored encrypted. AES-GCM with a key from the
// WEBHOOK_SECRET_KEY secret, a comma-separated list of base64 keys of 32 bytes: the first
// encrypts, any decrypts, so the key can be rotated without re-encrypting every row at once.

const SECRET_PREFIX = "whsec_";
const SECRET_BYTES = 32;
const IV_BYTES = 12;
const FORMAT = "v1.";

const toBase64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
const fromBase64 = (text: string) => Uint8Array.from(atob(text), (c) => c.charCodeAt(0));

/** A new signing secret: `whsec_` and the base64 of 32 random bytes (Standard Webhooks). */
export const newSecret = () =>
  SECRET_PREFIX + toBase64(crypto.getRandomValues(new Uint8Array(SECRET_BYTES)));

/** The key bytes a secret stands for, with which deliveries are signed. */
export const secretKeyBytes = (secret: string) => fromBase64(secret.slice(SECRET_PREFIX.length));

/** The configured keys, imported once per isolate for each value of the setting. */
const importedKeys = new Map<string, CryptoKey[]>();

async function keysOf(setting: string | undefined): Promise<CryptoKey[]> {
  const value = setting ?? "";
  const known = importedKeys.get(value);
  if (known) return known;
  const keys = await Promise.all(
    commaList(value).map((key) =>
      crypto.subtle.importKey("raw", fromBase64(key), "AES-GCM", false, ["encrypt", "decrypt"]),
    ),
  );
  if (keys.length === 0) throw new Error("WEBHOOK_SECRET_KEY is not set");
  importedKeys.set(value, keys);
  return keys;
}

/** `secret`, encrypted with the first configured key, as stored. */
export async function encryptSecret(secret: string, setting: string | undefined): Promise<string> {
  const [key] = await keysOf(setting);
  const iv = crypto.getRandomValues(new Uint8Array(IV_BYTES));
  const sealed = await crypto.subtle.encrypt(
    { name: "AES-GCM", iv },
    key as CryptoKey,
    new TextEncoder().encode(secret),
  );
  return FORMAT + toBase64(new Uint8Array([...iv, ...new Uint8Array(sealed)]));
}

/** A stored secret in clear, by whichever configured key encrypted it. */
export async function decryptSecret(stored: string, setting: string | undefined): Promise<string> {
  if (!stored.startsWith(FORMAT)) throw new Error("not an encrypted webhook secret");
  const bytes = fromBase64(stored.slice(FORMAT.length));
  const iv = bytes.subarray(0, IV_BYTES);
  const sealed = bytes.subarray(IV_BYTES);
  for (const key of await keysOf(setting)) {
    try {
      const plain = await crypto.subtle.decrypt({ name: "AES-GCM", iv }, key, sealed);
      return new TextDecoder().decode(plain);
    } catch {
      // Sealed by another of the keys: try the next.
    }
  }
  throw new Error("no configured WEBHOOK_SECRET_KEY decrypts this webhook secret");
}
