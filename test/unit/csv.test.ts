import { describe, expect, it } from "vitest";
import { parseChunk } from "../../src/imports/csv";

// CSV as schools export it, read as an import reads it: in byte ranges that each start where
// the one before stopped. Every case is split at every byte, and read in ranges of every
// length, and must give the same records, on the same lines, as the file read whole.

const CASES: [name: string, csv: string, records: [line: number, fields: string[]][]][] = [
  [
    "LF",
    "id,name\n1,Ann\n2,Bob\n",
    [
      [1, ["id", "name"]],
      [2, ["1", "Ann"]],
      [3, ["2", "Bob"]],
    ],
  ],
  [
    "CRLF",
    "id,name\r\n1,Ann\r\n",
    [
      [1, ["id", "name"]],
      [2, ["1", "Ann"]],
    ],
  ],
  [
    "CR",
    "id,name\r1,Ann\r",
    [
      [1, ["id", "name"]],
      [2, ["1", "Ann"]],
    ],
  ],
  [
    "a BOM",
    "\ufeffid,name\r\n1,Ann",
    [
      [1, ["id", "name"]],
      [2, ["1", "Ann"]],
    ],
  ],
  [
    "mixed line endings",
    "id,name\r\n1,Ann\n2,Bob\r\n",
    [
      [1, ["id", "name"]],
      [2, ["1", "Ann"]],
      [3, ["2", "Bob"]],
    ],
  ],
  [
    "no line break at the end",
    "id\n1",
    [
      [1, ["id"]],
      [2, ["1"]],
    ],
  ],
  [
    "blank lines",
    "id,name\n\n1,Ann\n\r\n\n2,Bob\n\n",
    [
      [1, ["id", "name"]],
      [3, ["1", "Ann"]],
      [6, ["2", "Bob"]],
    ],
  ],
  [
    "quoted commas, quotes and line breaks",
    'id,note\n1,"Smith, Jr."\n2,"said ""hi"""\n3,"two\r\nlines\nhere"\n4,x\n',
    [
      [1, ["id", "note"]],
      [2, ["1", "Smith, Jr."]],
      [3, ["2", 'said "hi"']],
      [4, ["3", "two\r\nlines\nhere"]],
      [7, ["4", "x"]],
    ],
  ],
  [
    "a quote inside an unquoted field",
    'id,name\n1,Jo "JJ" Smith\n2,5\'10"\n',
    [
      [1, ["id", "name"]],
      [2, ["1", 'Jo "JJ" Smith']],
      [3, ["2", "5'10\""]],
    ],
  ],
  [
    "text beyond ASCII",
    "id,name\n1,Zoë Ñúñez\n2,李雷 😀\n",
    [
      [1, ["id", "name"]],
      [2, ["1", "Zoë Ñúñez"]],
      [3, ["2", "李雷 😀"]],
    ],
  ],
];

type Read = [line: number, fields: string[]][];

/**
 * Reads `file` as an import does: ranges of `length` bytes, each from where the last stopped,
 * taking at most `most` records from each.
 */
function readInRanges(file: Uint8Array, length: number, most?: number): Read {
  const read: Read = [];
  let [offset, lines] = [0, 0];
  while (offset < file.length) {
    let size = length;
    let chunk: ReturnType<typeof parseChunk>;
    for (;;) {
      const isLast = offset + size >= file.length;
      chunk = parseChunk(file.subarray(offset, offset + size), isLast, most);
      if (isLast || chunk.consumedBytes > 0) break;
      size *= 2; // not one record fits: read more
    }
    read.push(...chunk.records.map((r): Read[number] => [lines + r.line, r.fields]));
    offset += chunk.consumedBytes;
    lines += chunk.consumedLines;
  }
  return read;
}

describe.each(CASES)("a file with %s", (_, csv, expected) => {
  const file = new TextEncoder().encode(csv);

  it("gives every record, with the line it starts on, read whole", () => {
    expect(readInRanges(file, file.length)).toEqual(expected);
  });

  it("gives the same records split at every byte", () => {
    for (let at = 1; at < file.length; at++) {
      const first = parseChunk(file.subarray(0, at), false);
      const rest = parseChunk(file.subarray(first.consumedBytes), true);
      const read = [
        ...first.records.map((r): Read[number] => [r.line, r.fields]),
        ...rest.records.map((r): Read[number] => [first.consumedLines + r.line, r.fields]),
      ];
      expect(read, `split at byte ${at}`).toEqual(expected);
    }
  });

  it("gives the same records read in ranges of every length", () => {
    for (let length = 1; length <= file.length; length++) {
      expect(readInRanges(file, length), `ranges of ${length} bytes`).toEqual(expected);
    }
  });

  it("gives the same records taking one or two a read, in ranges of every length", () => {
    for (const most of [1, 2]) {
      for (let length = 1; length <= file.length; length++) {
        expect(readInRanges(file, length, most), `${most} of ${length} bytes`).toEqual(expected);
      }
    }
  });
});

it("refuses a quote that is never closed, at the end of the file", () => {
  expect(() => parseChunk(new TextEncoder().encode('id\n"open\n'), true)).toThrow(/quote/i);
});
