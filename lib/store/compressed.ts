/**
 * Text kept compressed in an item: Brotli, as a binary attribute whose name ends in "Z" (a report's
 * `contentZ`, a pending entry's `bodyZ`). DynamoDB bills writes by the started KB of the whole item and
 * storage and backups by its bytes, and JSON that people read (a report, a journal entry's lines)
 * shrinks to about a fifth. Only text daybook wrote and reads back whole is kept so; what a condition,
 * an index or a query names stays plain. A report's content is packed first and compressed with a
 * dictionary instead (deflateText below, report-pack.ts), under an attribute of its own (`packed`).
 * lib/store/readable-item.ts opens both for a person or a test reading the table itself.
 */
import { brotliCompressSync, brotliDecompressSync, constants, deflateRawSync, inflateRawSync } from "node:zlib";
import { StoreError } from "./errors";

/**
 * Brotli's best, quality 11, though lower ones take less CPU: a report item sits about at 1 KB, where a
 * few bytes more start a second WRU, and what is kept is billed by its bytes for 13 months of storage and
 * backups. Measured on the cost job's own items (2026-12-07 14:25–14:46 UTC): a report's content (5.5–6.6 KB)
 * is 852–947 B at 11 in 6–11 ms of CPU, 868–959 B at 10 in 2–4 ms, 961–1,061 B at 5 in under 0.3 ms. At
 * 10 the job's report item (1,014 B) passes 1 KB: a WRU a night (about $0.38 a month at 10,000
 * merchants) for about 7 ms of CPU (about $0.10); at 5 every report item does, and its bytes cost more
 * than the CPU saved. Reading does not depend on the quality. (Reports are packed since, report-pack.ts;
 * a report is compressed so only where packing would not give it back as it was.)
 */
const QUALITY = 11;

export function compressText(text: string): Uint8Array {
  return brotliCompressSync(Buffer.from(text, "utf8"), {
    params: { [constants.BROTLI_PARAM_MODE]: constants.BROTLI_MODE_TEXT, [constants.BROTLI_PARAM_QUALITY]: QUALITY },
  });
}

/** The text back; a StoreError naming `subject` when the bytes are not what compressText wrote. */
export function decompressText(bytes: unknown, subject: string): string {
  if (!(bytes instanceof Uint8Array)) throw new StoreError(`${subject} is not compressed text`);
  try {
    return brotliDecompressSync(bytes).toString("utf8");
  } catch {
    throw new StoreError(`${subject} does not decompress`);
  }
}

/** Parses compressed JSON; a StoreError naming `subject` when it is not. */
export function decompressJson(bytes: unknown, subject: string): unknown {
  return parsedJson(decompressText(bytes, subject), `${subject} is not JSON`);
}

/** The JSON a decompressed text holds; a StoreError saying `refusal` when it holds none. */
export function parsedJson(text: string, refusal: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new StoreError(refusal);
  }
}

/**
 * A preset dictionary for one stored format: the byte written before the compressed text, which says
 * which dictionary reads it, and the words. Part of the format: bytes written with one are read only
 * with the same one, so a dictionary is never edited; a new one gets a new format byte.
 */
export interface TextDictionary {
  format: number;
  words: Buffer;
  /** What a refusal says, after the subject, of bytes not of this format ("is not a packed report"). */
  notOfIt: string;
}

/**
 * Text compressed with a preset dictionary (raw DEFLATE, RFC 1951, with zlib's dictionary), after the
 * dictionary's format byte: for short texts of a known shape, where most of what Brotli's general
 * dictionary holds is no use and the shape itself is what repeats from item to item (a packed report,
 * report-pack.ts; a sync record's posted entries, sync-records.ts).
 */
export function deflateText(text: string, dictionary: TextDictionary): Uint8Array {
  const compressed = deflateRawSync(Buffer.from(text, "utf8"), { level: constants.Z_BEST_COMPRESSION, memLevel: 9, dictionary: dictionary.words });
  return Buffer.concat([Buffer.of(dictionary.format), compressed]);
}

/** The text deflateText wrote with `dictionary`; a StoreError naming `subject` when the bytes are not that. */
export function inflateText(bytes: unknown, dictionary: TextDictionary, subject: string): string {
  if (!(bytes instanceof Uint8Array) || bytes[0] !== dictionary.format) throw new StoreError(`${subject} ${dictionary.notOfIt}`);
  try {
    return inflateRawSync(bytes.subarray(1), { dictionary: dictionary.words }).toString("utf8");
  } catch {
    throw new StoreError(`${subject} does not decompress`);
  }
}
