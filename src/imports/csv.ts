import { type CsvError, parse } from "csv-parse/sync";

// CSV as schools export it (UTF-8 with or without a BOM, CRLF, LF or CR, quoted fields with
// commas, quotes and line breaks, blank lines), read in byte ranges that each start at a
// record boundary: each range's complete records are parsed, and the bytes after the last
// one belong to the next range. csv-parse reports the byte offset after every record itself,
// so no character count needs mapping back to bytes (docs/imports.md says why this library).

export type Chunk = {
  /**
   * The complete records at the start of the range: their fields, the line each starts on,
   * and the byte and line where it ends (after its line break).
   */
  records: { fields: string[]; line: number; end: { bytes: number; lines: number } }[];
  /** Bytes up to the end of the last complete record; 0: not one record fits the range. */
  consumedBytes: number;
  /** Lines up to the end of the last complete record. */
  consumedLines: number;
};

const BOM = [0xef, 0xbb, 0xbf];

/**
 * Parses the complete records at the start of `bytes`, which begin at a record boundary
 * (offset 0 of the file or an earlier `consumedBytes`). `isLast`: the range ends the file.
 * Lines are counted from 1 at the range's start, so errors can name a line of the file.
 * `limit`: stop after that many records (a header, or a chunk's most). A file that is not CSV even so (a quote
 * closed in the middle of a field, or never closed) throws a CsvSyntaxError.
 */
export function parseChunk(bytes: Uint8Array, isLast: boolean, limit?: number): Chunk {
  const skip = BOM.every((b, i) => bytes[i] === b) ? BOM.length : 0;
  const input = bytes.subarray(skip);
  const records: Chunk["records"] = [];
  const ends: { bytes: number; lines: number }[] = [];
  // csv-parse counts a CRLF inside quotes as two lines; lines are counted here as an editor
  // shows them, from the bytes: up to the end of the last record, and blank lines since.
  let seen = { bytes: 0, lines: 0, empty: 0 };
  try {
    parse(input, {
      bom: false,
      skip_empty_lines: true,
      // A record cut off by the range's end must not fail; the fields are checked after.
      relax_column_count: true,
      // The default takes the first line ending it meets for the whole input.
      record_delimiter: ["\r\n", "\n", "\r"],
      // A quote inside an unquoted field (Jo "JJ" Smith) is part of it, as schools mean it.
      relax_quotes: true,
      ...(limit !== undefined && { to: limit }),
      // info.bytes: the offset after the record's line break; info.empty_lines: blank lines so far.
      on_record: (fields: string[], info) => {
        const line = seen.lines + 1 + info.empty_lines - seen.empty;
        const lines = seen.lines + lineBreaks(input, seen.bytes, info.bytes);
        seen = { bytes: info.bytes, lines, empty: info.empty_lines };
        records.push({ fields, line, end: { bytes: skip + info.bytes, lines } });
        ends.push({ bytes: info.bytes, lines });
        return null;
      },
    });
  } catch (error) {
    const { code } = error as CsvError;
    // The range ended inside a quoted field: the records before it were collected.
    if (isLast || code !== "CSV_QUOTE_NOT_CLOSED") {
      throw new CsvSyntaxError(code ?? "CSV_INVALID", seen.lines + 1);
    }
  }
  // Stopped at `limit`: the rest of the range is for the next read, even at the file's end.
  const stopped = limit !== undefined && records.length >= limit;
  if (isLast && !stopped)
    return { records, consumedBytes: bytes.length, consumedLines: seen.lines };
  // A last record with no line break after it (or only the CR of a CRLF) may go on in the
  // next range: it is carried over.
  if (!isLast && ends.at(-1)?.bytes === input.length && input[input.length - 1] !== 0x0a) {
    records.pop();
    ends.pop();
  }
  const end = ends.at(-1);
  return end === undefined
    ? { records, consumedBytes: 0, consumedLines: 0 }
    : { records, consumedBytes: skip + end.bytes, consumedLines: end.lines };
}

/** Line breaks (CRLF, LF or CR, each one) in `bytes` from `from` to `to`. */
function lineBreaks(bytes: Uint8Array, from: number, to: number): number {
  let count = 0;
  for (let i = from; i < to; i++) {
    if (bytes[i] === 0x0a || (bytes[i] === 0x0d && bytes[i + 1] !== 0x0a)) count++;
  }
  return count;
}

/** A file that no reading of CSV makes sense of, from `line` (of the range) on; `code` is csv-parse's, never the content. */
export class CsvSyntaxError extends Error {
  constructor(
    readonly code: string,
    readonly line: number,
  ) {
    super(`not valid CSV (${code})`);
  }
}
