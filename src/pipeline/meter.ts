// Pass-through meters: bytes and SHA-256 of what flows by. A backup meters twice, the plaintext (before
// compression: what the source gave) and the stored bytes (after encryption: what the sink wrote), and
// the catalog records both; a restore puts a VerifyingMeter at each point and fails if either differs.
import { createHash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { IntegrityError } from './errors';

export interface Digest {
  bytes: number;
  /** Lowercase hex. */
  sha256: string;
}

export class HashMeter extends Transform {
  private readonly hash = createHash('sha256');
  protected bytes = 0;
  private result: Digest | undefined;

  /** The bytes and SHA-256 of everything that passed; only once the stream has ended. */
  digest(): Digest {
    if (!this.result) throw new Error('digest() called before the metered stream ended');
    return this.result;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    callback(null, chunk);
  }

  override _flush(callback: TransformCallback): void {
    this.result = { bytes: this.bytes, sha256: this.hash.digest('hex') };
    callback();
  }
}

export class VerifyingMeter extends HashMeter {
  constructor(
    private readonly expected: Digest,
    /** What is metered, for the message: e.g. `stored bytes of backups/x.ndjson.gz.enc`. */
    private readonly what = 'stream',
  ) {
    super();
  }

  override _transform(chunk: Buffer, encoding: BufferEncoding, callback: TransformCallback): void {
    // Too long is known before the end: fail without passing the excess on.
    if (this.bytes + chunk.length > this.expected.bytes) {
      callback(this.mismatch(`more than the expected ${this.expected.bytes} bytes`));
      return;
    }
    super._transform(chunk, encoding, callback);
  }

  override _flush(callback: TransformCallback): void {
    super._flush((err) => {
      if (err) return callback(err);
      const got = this.digest();
      if (got.bytes !== this.expected.bytes) {
        return callback(this.mismatch(`${got.bytes} bytes, expected ${this.expected.bytes}`));
      }
      if (got.sha256 !== this.expected.sha256.toLowerCase()) {
        return callback(this.mismatch(`sha256 ${got.sha256}, expected ${this.expected.sha256}`));
      }
      callback();
    });
  }

  private mismatch(detail: string): IntegrityError {
    return new IntegrityError('digest-mismatch', `${this.what} does not match the catalog: ${detail}`);
  }
}
