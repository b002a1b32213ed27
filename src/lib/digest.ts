/** The SHA-256 digest of a text (UTF-8). */
export const sha256 = (text: string) =>
  crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));

export const toHex = (bytes: ArrayBuffer) =>
  [...new Uint8Array(bytes)].map((b) => b.toString(16).padStart(2, "0")).join("");
