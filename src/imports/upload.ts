import {
  invalidRequest,
  lengthRequired,
  payloadTooLarge,
  unsupportedMediaType,
} from "../http/problems";
import { parseChunk } from "./csv";
import { MAX_IMPORT_BYTES } from "./schemas";

/** The longest header row read before the file is refused. */
const MAX_HEADER_BYTES = 64 * 1024;

/** An upload's bytes as R2 takes them: a stream of a declared length, and how many came. */
export type Upload = {
  header: string[];
  size: number;
  body: ReadableStream<Uint8Array>;
  received: () => number;
};

/**
 * Takes an uploaded CSV file without holding it whole: 415 unless it is sent as `text/csv`;
 * 411 without a Content-Length (R2 needs the length before the first byte), 413 past the cap;
 * then reads just enough to parse the header row, and hands back a stream of the whole file
 * (those bytes first), which a FixedLengthStream holds to the declared length.
 */
export async function receiveCsv(request: Request): Promise<Upload> {
  const mediaType = request.headers.get("Content-Type")?.split(";")[0]?.trim().toLowerCase();
  if (mediaType !== "text/csv") throw unsupportedMediaType("text/csv");
  const declared = request.headers.get("Content-Length");
  if (declared === null) throw lengthRequired();
  const size = Number(declared);
  if (size > MAX_IMPORT_BYTES) throw payloadTooLarge(MAX_IMPORT_BYTES);
  const reader = (request.body ?? emptyStream()).getReader();
  const { header, read } = await readHeader(reader);
  let received = read.reduce((sum, chunk) => sum + chunk.length, 0);
  const rest = new ReadableStream<Uint8Array>({
    start(controller) {
      for (const chunk of read) controller.enqueue(chunk);
    },
    async pull(controller) {
      const { done, value } = await reader.read();
      if (done) controller.close();
      else {
        received += value.length;
        controller.enqueue(value);
      }
    },
    cancel: (reason) => reader.cancel(reason),
  });
  const fixed = new FixedLengthStream(size);
  // A body of another length fails this pipe, and so the put that reads it (storeUpload).
  rest.pipeTo(fixed.writable).catch(() => {});
  return { header, size, body: fixed.readable, received: () => received };
}

/**
 * Stores an upload in R2. A body shorter or longer than its Content-Length fails the
 * FixedLengthStream, and so the put: that is the client's fault, a 400, not a 500.
 */
export async function storeUpload(bucket: R2Bucket, key: string, upload: Upload) {
  try {
    await bucket.put(key, upload.body);
  } catch (error) {
    const received = upload.received();
    if (received === upload.size) throw error;
    const message =
      received < upload.size
        ? `ended after ${received} bytes, before the ${upload.size} its Content-Length declares`
        : `runs past the ${upload.size} bytes its Content-Length declares`;
    throw invalidRequest("body", [{ path: "body", message }]);
  }
}

async function readHeader(reader: ReadableStreamDefaultReader<Uint8Array>) {
  const read: Uint8Array[] = [];
  let bytes = new Uint8Array();
  for (;;) {
    const { done, value } = await reader.read();
    if (value) {
      read.push(value);
      bytes = concat(bytes, value);
    }
    const [first] = headerRecords(bytes, done);
    if (first) return { header: first.fields, read };
    if (done)
      throw invalidRequest("body", [
        { path: "body.header", message: "is missing: the file is empty" },
      ]);
    if (bytes.length > MAX_HEADER_BYTES) {
      throw invalidRequest("body", [
        { path: "body.header", message: `must end within the first ${MAX_HEADER_BYTES} bytes` },
      ]);
    }
  }
}

/** The header row, once read whole; a header that is not CSV is a 400 (later rows are the Workflow's). */
function headerRecords(bytes: Uint8Array, done: boolean) {
  try {
    return parseChunk(bytes, done, 1).records;
  } catch {
    throw invalidRequest("body", [{ path: "body.header", message: "is not valid CSV" }]);
  }
}

const concat = (a: Uint8Array, b: Uint8Array) => {
  const joined = new Uint8Array(a.length + b.length);
  joined.set(a);
  joined.set(b, a.length);
  return joined;
};

const emptyStream = () => new ReadableStream<Uint8Array>({ start: (c) => c.close() });
