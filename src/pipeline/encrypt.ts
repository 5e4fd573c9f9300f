// The encrypting half of the AES-256-GCM filter: plaintext in, format-1 chunks out (encryption-format.ts).
// Each chunk's cipher is fed as input arrives, so nothing beyond the chunk in progress is held.
import { Transform, type TransformCallback } from 'node:stream';
import { ChunkCipher, DEFAULT_CHUNK_BYTES, newHeader } from './encryption-format';
import type { EncryptionKey } from './encryption-key';

export interface EncryptOptions {
  /** Plaintext bytes per chunk; default 64 KiB. Decryption holds about one chunk. */
  chunkBytes?: number;
}

export class EncryptStream extends Transform {
  private readonly cipher: ChunkCipher;
  private headerSent = false;
  private index = 0;
  private current: ReturnType<ChunkCipher['encryptor']> | undefined;
  private currentBytes = 0;

  constructor(key: EncryptionKey, options: EncryptOptions = {}) {
    super();
    this.cipher = new ChunkCipher(key, newHeader(key.id, options.chunkBytes ?? DEFAULT_CHUNK_BYTES));
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      this.sendHeader();
      const chunkBytes = this.cipher.header.chunkBytes;
      for (let offset = 0; offset < chunk.length;) {
        const take = Math.min(chunk.length - offset, chunkBytes - this.currentBytes);
        this.current ??= this.cipher.encryptor(this.index, false);
        this.push(this.current.update(chunk.subarray(offset, offset + take)));
        this.currentBytes += take;
        offset += take;
        if (this.currentBytes === chunkBytes) this.sealCurrent();
      }
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    try {
      this.sendHeader();
      if (this.currentBytes > 0) this.sealCurrent();
      this.push(this.cipher.endMarker(this.index));
      callback();
    } catch (err) {
      callback(err as Error);
    }
  }

  private sendHeader(): void {
    if (this.headerSent) return;
    this.headerSent = true;
    this.push(this.cipher.header.bytes);
  }

  private sealCurrent(): void {
    const cipher = this.current!;
    cipher.final();
    this.push(cipher.getAuthTag());
    this.current = undefined;
    this.currentBytes = 0;
    this.index++;
  }
}
