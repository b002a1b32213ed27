import { createMiddleware } from "hono/factory";
import { invalidJson, invalidRequest, payloadTooLarge, unsupportedMediaType } from "./problems";

const MAX_BODY_BYTES = 16 * 1024;
const MAX_DEPTH = 16;

/**
 * For routes with a JSON body. In order: 415 unless it is sent as `application/json`; 413 past
 * 16 KiB, counted on the bytes actually read (a missing or lying Content-Length changes
 * nothing); 400 `invalid_json` unless it is UTF-8 JSON; 400 `validation_failed` for nesting
 * deeper than 16 levels or a key given twice in one object (parsers disagree on which wins).
 * The text is left in Hono's body cache for the validator, so the body is read once.
 */
export const requireJsonBody = createMiddleware(async (c, next) => {
  const mediaType = c.req.header("Content-Type")?.split(";")[0]?.trim().toLowerCase();
  if (mediaType !== "application/json") {
    throw unsupportedMediaType();
  }
  const text = decodeUtf8(await readAtMost(c.req.raw, MAX_BODY_BYTES));
  try {
    JSON.parse(text);
  } catch {
    throw invalidJson();
  }
  const flaw = structuralFlaw(text);
  if (flaw) throw invalidRequest("body", [flaw]);
  // Hono's json() parses the cached text (handed a cached value, it would turn it back into
  // a Response and read that). The cache holds promises, whatever its type says.
  Object.assign(c.req.bodyCache, { text: Promise.resolve(text) });
  await next();
});

async function readAtMost(request: Request, max: number): Promise<Uint8Array> {
  const declared = request.headers.get("Content-Length");
  if (Number(declared ?? 0) > max) throw payloadTooLarge(max);
  if (!request.body) return new Uint8Array();
  // A body whose length is declared (and within bounds) is that long: read it in one call,
  // which costs a fraction of reading it chunk by chunk. Counted again all the same.
  if (declared !== null) {
    const bytes = new Uint8Array(await request.arrayBuffer());
    if (bytes.byteLength > max) throw payloadTooLarge(max);
    return bytes;
  }
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of request.body) {
    size += chunk.byteLength;
    if (size > max) throw payloadTooLarge(max); // leaving the loop cancels the stream: nothing more is read
    chunks.push(chunk);
  }
  const bytes = new Uint8Array(size);
  let offset = 0;
  for (const chunk of chunks) {
    bytes.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return bytes;
}

function decodeUtf8(bytes: Uint8Array): string {
  try {
    return new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw invalidJson("The request body is not valid UTF-8.");
  }
}

type Frame = { keys: Set<string> | null; expectKey: boolean };

/** Scans JSON text that already parsed: too deep, or a key repeated within one object. */
export function structuralFlaw(text: string): { path: string; message: string } | undefined {
  const stack: Frame[] = [];
  for (let i = 0; i < text.length; i++) {
    const ch = text[i];
    if (ch === "{" || ch === "[") {
      stack.push({ keys: ch === "{" ? new Set() : null, expectKey: ch === "{" });
      if (stack.length > MAX_DEPTH)
        return { path: "body", message: `must not nest deeper than ${MAX_DEPTH} levels` };
    } else if (ch === "}" || ch === "]") {
      stack.pop();
    } else if (ch === ",") {
      const top = stack.at(-1);
      if (top?.keys) top.expectKey = true;
    } else if (ch === '"') {
      const end = endOfString(text, i);
      const top = stack.at(-1);
      if (top?.keys && top.expectKey) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        if (top.keys.has(key)) return { path: `body.${key}`, message: "appears more than once" };
        top.keys.add(key);
        top.expectKey = false;
      }
      i = end;
    }
  }
  return undefined;
}

/** Index of the quote that closes the string opening at `start`. */
function endOfString(text: string, start: number): number {
  let i = start + 1;
  while (text[i] !== '"') i += text[i] === "\\" ? 2 : 1;
  return i;
}
