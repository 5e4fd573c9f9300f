// A resolved encryption key: its id (written into every object it encrypts) and its 32 bytes of
// material. The material is a non-enumerable property and inspect/JSON print only the id, so logging a
// key, or an object holding one, never prints the secret.
import { inspect } from 'node:util';

export const KEY_BYTES = 32;
/** The id is length-prefixed with one byte in the encrypted header. */
export const MAX_KEY_ID_BYTES = 255;

export class EncryptionKey {
  declare readonly key: Buffer;

  constructor(
    readonly id: string,
    key: Buffer,
  ) {
    const idBytes = Buffer.byteLength(id, 'utf8');
    if (idBytes < 1 || idBytes > MAX_KEY_ID_BYTES) {
      throw new RangeError(`key id must be 1 to ${MAX_KEY_ID_BYTES} bytes of UTF-8, got ${idBytes}`);
    }
    if (key.length !== KEY_BYTES) throw new RangeError(`key ${id} is ${key.length} bytes, need ${KEY_BYTES}`);
    Object.defineProperty(this, 'key', { value: key, enumerable: false });
  }

  toJSON(): { id: string } {
    return { id: this.id };
  }

  [inspect.custom](): string {
    return `EncryptionKey(${JSON.stringify(this.id)})`;
  }
}
