// The decrypting half of the AES-256-GCM filter. It releases a chunk's plaintext only after that chunk's
// tag has verified, one chunk at a time, and names what went wrong: a wrong key id, a failed tag (and at
// which chunk), a stream cut short, or data after the final chunk (layout: encryption-format.ts).
//
// A verified chunk is released before the end of the stream is seen, as any streaming decryption must:
// a consumer treats its output as final only once the whole pipeline succeeds (the sinks commit last).
import { timingSafeEqual } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { ByteQueue } from './byte-queue';
import { ChunkCipher, MAX_HEADER_BYTES, parseHeader, TAG_BYTES } from './encryption-format';
import type { EncryptionKey } from './encryption-key';
import { IntegrityError, WrongKeyError } from './errors';

export class DecryptStream extends Transform {
  private readonly pending = new ByteQueue();
  private cipher: ChunkCipher | undefined;
  /** Index of the next chunk; chunks before it have verified. */
  private index = 0;

  constructor(private readonly key: EncryptionKey) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.pending.push(chunk);
      this.drain();
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.drain();
      this.finish();
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  private drain(): void {
    if (!this.cipher && !this.readHeader()) return;
    const cipher = this.cipher!;
    const sealedBytes = cipher.header.chunkBytes + TAG_BYTES;
    // The last data chunk is short and followed only by the 16-byte end marker, so anything that long
    // or longer starts with a full data chunk.
    while (this.pending.length >= sealedBytes + TAG_BYTES) {
      const sealed = this.pending.take(sealedBytes);
      const plaintext = cipher.open(this.index, sealed);
      if (!plaintext) throw this.diagnose(Buffer.concat([sealed, this.pending.take(this.pending.length)]), false);
      this.index++;
      this.push(plaintext);
    }
  }

  private readHeader(): boolean {
    const parsed = parseHeader(this.pending.peek(Math.min(this.pending.length, MAX_HEADER_BYTES)));
    if ('needBytes' in parsed) return false;
    if (parsed.keyId !== this.key.id) throw new WrongKeyError(parsed.keyId, this.key.id);
    this.pending.take(parsed.bytes.length);
    this.cipher = new ChunkCipher(this.key, parsed);
    return true;
  }

  /** At the end of the input: what is left is the end marker, or the last (short) chunk and the marker. */
  private finish(): void {
    const cipher = this.cipher;
    if (!cipher) {
      throw new IntegrityError(
        'truncated',
        this.pending.length === 0
          ? 'truncated: the encrypted stream is empty (no header)'
          : `truncated: the stream ends inside the encryption header (${this.pending.length} bytes)`,
      );
    }
    const rest = this.pending.take(this.pending.length);
    if (sameBytes(rest, cipher.endMarker(this.index))) return;
    if (rest.length > 2 * TAG_BYTES && sameBytes(rest.subarray(-TAG_BYTES), cipher.endMarker(this.index + 1))) {
      const plaintext = cipher.open(this.index, rest.subarray(0, -TAG_BYTES));
      // A real end marker, but the chunk before it fails: an earlier end and bytes after it, or tampering.
      if (!plaintext) throw this.diagnose(rest, false);
      this.index++;
      this.push(plaintext);
      return;
    }
    throw this.diagnose(rest, true);
  }

  /**
   * Why `window` (chunk `index` onwards) does not decrypt. Only on the failure path: the marker search and
   * the extra tag checks cost nothing on a good stream.
   */
  private diagnose(window: Buffer, atEnd: boolean): Error {
    const cipher = this.cipher!;
    const k = this.index;
    if (window.length > TAG_BYTES && sameBytes(window.subarray(0, TAG_BYTES), cipher.endMarker(k))) {
      return trailingData(k, window.length - TAG_BYTES);
    }
    // The end marker right after a short last chunk, with bytes after it.
    const marker = window.indexOf(cipher.endMarker(k + 1), TAG_BYTES + 1);
    const maxSealed = cipher.header.chunkBytes - 1 + TAG_BYTES;
    if (marker !== -1 && marker <= maxSealed && cipher.open(k, window.subarray(0, marker))) {
      return trailingData(k + 1, window.length - marker - TAG_BYTES);
    }
    if (atEnd) {
      // (Only before chunk 0: a data chunk is consumed only when more than an end marker follows it.)
      if (window.length === 0) {
        return new IntegrityError('truncated', 'truncated: the stream ends right after the encryption header', k);
      }
      // A whole chunk, then nothing or part of a final chunk.
      const whole = window.subarray(0, cipher.header.chunkBytes + TAG_BYTES);
      if (whole.length > TAG_BYTES && cipher.open(k, whole)) {
        const message =
          whole.length === window.length
            ? `truncated: the stream ends after chunk ${k} without its final chunk`
            : `truncated: the stream ends inside the final chunk, after chunk ${k}`;
        return new IntegrityError('truncated', message, k + 1);
      }
      // After a verified chunk the key is right: a missing end marker means the stream was cut.
      // Before one, a short remainder that is no tag at all was cut too; anything else is told apart by a tag.
      const cut =
        k > 0 ||
        window.length < TAG_BYTES ||
        (window.length > 2 * TAG_BYTES && !!cipher.open(0, window.subarray(0, -TAG_BYTES)));
      if (cut) {
        return new IntegrityError(
          'truncated',
          `truncated: the stream ends inside chunk ${k} or the final chunk after it (or the final chunk was modified)`,
          k,
        );
      }
    }
    return authenticationFailed(k);
  }
}

function authenticationFailed(chunk: number): IntegrityError {
  return new IntegrityError(
    'authentication-failed',
    chunk === 0
      ? 'authentication failed at chunk 0: wrong key or the data was modified'
      : `authentication failed at chunk ${chunk}: the data was modified ` +
          `(chunks 0 to ${chunk - 1} verified with this key, so the key is right)`,
    chunk,
  );
}

function trailingData(finalChunk: number, extraBytes: number): IntegrityError {
  return new IntegrityError(
    'trailing-data',
    `data after the final chunk: ${extraBytes} bytes follow chunk ${finalChunk}, the end of the encrypted stream`,
    finalChunk,
  );
}

function sameBytes(a: Buffer, b: Buffer): boolean {
  return a.length === b.length && timingSafeEqual(a, b);
}
