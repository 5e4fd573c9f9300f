// The `keys` config section: encryption keys by name, each saying where the worker finds its material.
// Workflows and catalog records carry only the name (the key id written into every encrypted object);
// the material never leaves the worker. Material is 32 bytes, base64 or hex encoded.
//
// A name stays bound to one key material for as long as objects encrypted under it are kept: to rotate,
// add a new name, write new backups with it, and keep the old one until retention has removed its objects.
// For Key Vault, pin `version` so that a new secret version cannot silently replace the material.
import { z } from 'zod';
import { KEY_NAME } from '../domain/connection-name';

export { KEY_NAME };

export const envKeySchema = z
  .object({
    source: z.literal('env'),
    /** The environment variable holding the material, e.g. AZBACKUP_KEY_PROD. */
    variable: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, { error: 'must be an environment variable name' }),
  })
  .strict();

export const fileKeySchema = z
  .object({
    source: z.literal('file'),
    /** A file holding only the material (surrounding whitespace is ignored); keep it readable by the worker only. */
    path: z.string().min(1, { error: 'must not be empty' }),
  })
  .strict();

export const keyVaultKeySchema = z
  .object({
    source: z.literal('keyvault'),
    vaultUrl: z.url({ protocol: /^https$/, error: 'must be the vault URL, e.g. https://my-vault.vault.azure.net' }),
    secretName: z.string().regex(/^[0-9a-zA-Z-]{1,127}$/, { error: 'must be a Key Vault secret name' }),
    /** A secret version; without it, the current version is read. */
    version: z.string().min(1, { error: 'must not be empty' }).optional(),
  })
  .strict();

export const keySourceSchema = z.discriminatedUnion('source', [envKeySchema, fileKeySchema, keyVaultKeySchema], {
  error: "source must be 'env', 'file' or 'keyvault'",
});

export const keysConfigSchema = z.record(
  z.string().regex(KEY_NAME, { error: 'key names are lowercase letters, digits and dashes, starting with a letter' }),
  keySourceSchema,
);

export type KeySource = z.infer<typeof keySourceSchema>;
export type KeysConfig = z.infer<typeof keysConfigSchema>;
