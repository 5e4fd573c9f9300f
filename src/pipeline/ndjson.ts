// NDJSON, the record format of exports: objects to bytes (one JSON document per line) and back. Decoding
// streams: lines may be split across chunks anywhere (even inside a UTF-8 character, since it splits on
// the newline byte, which never occurs inside one), and a last line without its newline means the
// stream was cut, which must not pass as a complete export.
import { IntegrityError } from './errors';

export interface EncodeNdjsonOptions {
  /** Chunks are at most this size (a longer line is a chunk of its own); default 64 KiB. */
  batchBytes?: number;
  /** Called after each record with it and the count so far (a tally without another async generator in between). */
  onRecord?: (records: number, record: unknown) => void;
}

/**
 * Lines are written straight into the chunk's buffer: no joined string per chunk, which would be one more
 * copy of every byte on the V8 heap (and, with the worker's small young generation, more collections).
 */
export async function* encodeNdjson(
  records: Iterable<unknown> | AsyncIterable<unknown>,
  options: EncodeNdjsonOptions = {},
): AsyncGenerator<Buffer> {
  const batchBytes = options.batchBytes ?? 64 * 1024;
  let chunk = Buffer.allocUnsafe(batchBytes);
  let used = 0;
  let index = 0;
  for await (const record of records) {
    const line = JSON.stringify(record) as string | undefined;
    if (line === undefined) throw new TypeError(`record ${index} (${typeof record}) cannot be written as JSON`);
    index++;
    options.onRecord?.(index, record);
    // At most 3 UTF-8 bytes per UTF-16 unit: only a line that might not fit is measured.
    if (line.length * 3 + 1 > batchBytes - used) {
      const bytes = Buffer.byteLength(line, 'utf8') + 1;
      if (bytes > batchBytes - used && used > 0) {
        yield chunk.subarray(0, used);
        chunk = Buffer.allocUnsafe(batchBytes);
        used = 0;
      }
      if (bytes > batchBytes) {
        yield Buffer.from(`${line}\n`, 'utf8');
        continue;
      }
    }
    used += chunk.write(line, used, 'utf8');
    chunk[used++] = 0x0a;
  }
  if (used > 0) yield chunk.subarray(0, used);
}

export interface DecodeNdjsonOptions {
  /** A longer line fails instead of growing memory without bound; default 64 MiB. */
  maxLineBytes?: number;
}

export async function* decodeNdjson<T = unknown>(
  bytes: AsyncIterable<Buffer | Uint8Array | string>,
  options: DecodeNdjsonOptions = {},
): AsyncGenerator<T> {
  const maxLineBytes = options.maxLineBytes ?? 64 * 1024 * 1024;
  let partial: Buffer[] = [];
  let partialBytes = 0;
  let lineNumber = 0;
  for await (const piece of bytes) {
    const chunk = typeof piece === 'string' ? Buffer.from(piece, 'utf8') : toBuffer(piece);
    let start = 0;
    for (let newline = chunk.indexOf(0x0a); newline !== -1; newline = chunk.indexOf(0x0a, start)) {
      lineNumber++;
      let line = chunk.subarray(start, newline);
      if (partialBytes > 0) line = Buffer.concat([...partial, line]);
      partial = [];
      partialBytes = 0;
      start = newline + 1;
      if (line.length > maxLineBytes) throw tooLong(lineNumber, maxLineBytes);
      yield parseLine(line, lineNumber) as T;
    }
    if (start < chunk.length) {
      partial.push(chunk.subarray(start));
      partialBytes += chunk.length - start;
      if (partialBytes > maxLineBytes) throw tooLong(lineNumber + 1, maxLineBytes);
    }
  }
  if (partialBytes > 0) {
    throw new IntegrityError(
      'truncated',
      `truncated NDJSON: line ${lineNumber + 1} (${partialBytes} bytes) has no final newline`,
    );
  }
}

function parseLine(line: Buffer, lineNumber: number): unknown {
  try {
    return JSON.parse(line.toString('utf8'));
  } catch (err) {
    throw new IntegrityError('malformed-record', `NDJSON line ${lineNumber} is not JSON: ${(err as Error).message}`);
  }
}

function tooLong(lineNumber: number, maxLineBytes: number): IntegrityError {
  return new IntegrityError('malformed-record', `NDJSON line ${lineNumber} is longer than ${maxLineBytes} bytes`);
}

function toBuffer(bytes: Uint8Array): Buffer {
  return Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}
