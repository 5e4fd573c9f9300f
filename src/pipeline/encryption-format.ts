// The byte layout of an encrypted object (format 1), shared by the encrypting and decrypting streams.
//
//   header: "AZBKENC1" | version u8 | key id length u8 | key id (UTF-8) | chunk bytes u32 BE
//           | salt (16 random bytes) | nonce prefix (7 random bytes)
//   chunks: AES-256-GCM(plaintext chunk) | 16-byte tag, each, then one empty final chunk (its tag only)
//
// This is the STREAM construction (as in age and Tink): chunk i's nonce is prefix | u32 BE i | final flag,
// and every chunk's AAD is the whole header, so a moved, dropped, duplicated or modified chunk, a changed
// header, or a stream cut short fails authentication. The per-object data key is HKDF-SHA256(master key,
// salt), so nonces never repeat across objects under one master key.
//
// Data chunks hold exactly `chunkBytes` of plaintext except the last one, and the final chunk is always
// empty: its tag depends only on the key, the header and its index, so a reader can recognise the end
// marker on sight. That is what lets decryption report "truncated" and "data after the final chunk"
// precisely instead of as a failed tag. It costs 16 bytes per object.
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';
import { MAX_KEY_ID_BYTES, type EncryptionKey } from './encryption-key';
import { IntegrityError } from './errors';

export const MAGIC = Buffer.from('AZBKENC1', 'latin1');
export const FORMAT_VERSION = 1;
export const TAG_BYTES = 16;
export const SALT_BYTES = 16;
export const NONCE_PREFIX_BYTES = 7;
export const DEFAULT_CHUNK_BYTES = 64 * 1024;
/** A corrupted header must not make a reader buffer gigabytes before the first tag check. */
export const MAX_CHUNK_BYTES = 16 * 1024 * 1024;
const MAX_CHUNKS = 0xffff_ffff;
const HKDF_INFO = 'azbackup-enc-v1';
const FIXED_HEADER_BYTES = MAGIC.length + 1 + 1 + 4 + SALT_BYTES + NONCE_PREFIX_BYTES;
export const MAX_HEADER_BYTES = FIXED_HEADER_BYTES + MAX_KEY_ID_BYTES;

export interface EncryptionHeader {
  keyId: string;
  chunkBytes: number;
  salt: Buffer;
  noncePrefix: Buffer;
  /** The header exactly as written: every chunk's AAD. */
  bytes: Buffer;
}

export function checkChunkBytes(chunkBytes: number): void {
  if (!Number.isInteger(chunkBytes) || chunkBytes < 1 || chunkBytes > MAX_CHUNK_BYTES) {
    throw new RangeError(`chunkBytes must be a whole number from 1 to ${MAX_CHUNK_BYTES}, got ${chunkBytes}`);
  }
}

/** A fresh header (random salt and nonce prefix) for one object. */
export function newHeader(keyId: string, chunkBytes: number): EncryptionHeader {
  checkChunkBytes(chunkBytes);
  const id = Buffer.from(keyId, 'utf8');
  const salt = randomBytes(SALT_BYTES);
  const noncePrefix = randomBytes(NONCE_PREFIX_BYTES);
  const size = Buffer.alloc(4);
  size.writeUInt32BE(chunkBytes);
  const bytes = Buffer.concat([MAGIC, Buffer.of(FORMAT_VERSION, id.length), id, size, salt, noncePrefix]);
  return { keyId, chunkBytes, salt, noncePrefix, bytes };
}

/**
 * Reads a header from the start of `bytes`: the header, or how many bytes are needed before it can be
 * read. Fails as soon as the bytes seen cannot start a header, so a wrong file fails on its first read.
 */
export function parseHeader(bytes: Buffer): EncryptionHeader | { needBytes: number } {
  const magicSeen = bytes.subarray(0, MAGIC.length);
  if (!magicSeen.equals(MAGIC.subarray(0, magicSeen.length))) {
    throw new IntegrityError('bad-header', 'not an azbackup encrypted stream: it does not start with AZBKENC1');
  }
  if (bytes.length < MAGIC.length + 2) return { needBytes: MAGIC.length + 2 };
  const version = bytes[MAGIC.length]!;
  if (version !== FORMAT_VERSION) {
    throw new IntegrityError(
      'unsupported-format',
      `encrypted with format version ${version}; this build reads version ${FORMAT_VERSION}`,
    );
  }
  const idBytes = bytes[MAGIC.length + 1]!;
  if (idBytes === 0) throw new IntegrityError('bad-header', 'the encrypted header has an empty key id');
  const total = FIXED_HEADER_BYTES + idBytes;
  if (bytes.length < total) return { needBytes: total };
  let offset = MAGIC.length + 2;
  let keyId: string;
  try {
    keyId = new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(offset, offset + idBytes));
  } catch {
    throw new IntegrityError('bad-header', 'the encrypted header has a key id that is not UTF-8');
  }
  offset += idBytes;
  const chunkBytes = bytes.readUInt32BE(offset);
  if (chunkBytes < 1 || chunkBytes > MAX_CHUNK_BYTES) {
    throw new IntegrityError('bad-header', `the encrypted header gives a chunk size of ${chunkBytes} bytes`);
  }
  offset += 4;
  const salt = Buffer.from(bytes.subarray(offset, offset + SALT_BYTES));
  const noncePrefix = Buffer.from(bytes.subarray(offset + SALT_BYTES, total));
  return { keyId, chunkBytes, salt, noncePrefix, bytes: Buffer.from(bytes.subarray(0, total)) };
}

/** Seals and opens the chunks of one object: its data key, nonces and AAD. */
export class ChunkCipher {
  private readonly dataKey: Buffer;

  constructor(
    masterKey: EncryptionKey,
    readonly header: EncryptionHeader,
  ) {
    this.dataKey = Buffer.from(hkdfSync('sha256', masterKey.key, header.salt, HKDF_INFO, 32));
  }

  /** A cipher for chunk `index`; feed it with `update`, then `final()` and `getAuthTag()`. */
  encryptor(index: number, final: boolean) {
    const cipher = createCipheriv('aes-256-gcm', this.dataKey, this.nonce(index, final), { authTagLength: TAG_BYTES });
    cipher.setAAD(this.header.bytes);
    return cipher;
  }

  /** The plaintext of a sealed chunk (ciphertext | tag), or undefined if its tag does not verify. */
  open(index: number, sealed: Buffer): Buffer | undefined {
    const decipher = createDecipheriv('aes-256-gcm', this.dataKey, this.nonce(index, false), {
      authTagLength: TAG_BYTES,
    });
    decipher.setAAD(this.header.bytes);
    decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
    const plaintext = decipher.update(sealed.subarray(0, sealed.length - TAG_BYTES));
    try {
      decipher.final();
    } catch {
      return undefined;
    }
    return plaintext;
  }

  /** The final chunk at `index`: the tag of empty plaintext, which only the key holder can compute. */
  endMarker(index: number): Buffer {
    const cipher = this.encryptor(index, true);
    cipher.final();
    return cipher.getAuthTag();
  }

  private nonce(index: number, final: boolean): Buffer {
    if (index > MAX_CHUNKS) throw new RangeError(`more than ${MAX_CHUNKS} chunks in one object`);
    const nonce = Buffer.alloc(NONCE_PREFIX_BYTES + 5);
    this.header.noncePrefix.copy(nonce);
    nonce.writeUInt32BE(index, NONCE_PREFIX_BYTES);
    nonce[NONCE_PREFIX_BYTES + 4] = final ? 1 : 0;
    return nonce;
  }
}
