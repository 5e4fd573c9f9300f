// AES-256-GCM as a filter, in the chunked, authenticated format of encryption-format.ts. The key is
// resolved by the worker (key-ring.ts); the description names only its id.
import { DecryptStream } from './decrypt';
import { EncryptStream, type EncryptOptions } from './encrypt';
import { checkChunkBytes, DEFAULT_CHUNK_BYTES, FORMAT_VERSION } from './encryption-format';
import type { EncryptionKey } from './encryption-key';
import type { Filter } from './filter';

export type AesGcmFilterOptions = EncryptOptions;

export function aesGcmFilter(key: EncryptionKey, options: AesGcmFilterOptions = {}): Filter {
  const chunkBytes = options.chunkBytes ?? DEFAULT_CHUNK_BYTES;
  checkChunkBytes(chunkBytes);
  return {
    name: `aes-256-gcm(${key.id})`,
    description: { kind: 'aes-256-gcm', keyId: key.id, format: FORMAT_VERSION },
    forward: () => new EncryptStream(key, { chunkBytes }),
    reverse: () => new DecryptStream(key),
  };
}
