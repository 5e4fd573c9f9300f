// Decoding key material from its text form (base64 or hex), with errors that say where the key came
// from and what is wrong with it, and never include the material.
import { KEY_BYTES } from './encryption-key';
import { KeyConfigError } from './errors';

const HEX = /^(?:[0-9a-fA-F]{2})+$/;
const BASE64 = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;
const BASE64URL = /^[A-Za-z0-9_-]+$/;

/**
 * The 32 bytes encoded in `text`. `origin` says where the text came from, e.g. `env AZBACKUP_KEY_PROD`.
 * Text of hex digits only is read as hex (32 bytes of base64 always end in `=`, so they never look like hex).
 */
export function decodeKeyMaterial(name: string, origin: string, text: string): Buffer {
  const trimmed = text.trim();
  let key: Buffer;
  if (trimmed === '') throw new KeyConfigError(name, `key ${name} from ${origin} is empty`);
  if (HEX.test(trimmed)) key = Buffer.from(trimmed, 'hex');
  else if (BASE64.test(trimmed)) key = Buffer.from(trimmed, 'base64');
  else if (BASE64URL.test(trimmed)) key = Buffer.from(trimmed, 'base64url');
  else throw new KeyConfigError(name, `key ${name} from ${origin} is neither base64 nor hex`);
  if (key.length !== KEY_BYTES) {
    throw new KeyConfigError(name, `key ${name} from ${origin} is ${key.length} bytes, need ${KEY_BYTES}`);
  }
  return key;
}
