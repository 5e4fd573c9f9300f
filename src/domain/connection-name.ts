// Connection names travel in workflow inputs and search attributes: short lowercase identifiers.
export const CONNECTION_NAME = /^[a-z][a-z0-9-]{0,62}$/;

/** Encryption key names: the same shape, and far under the encryption header's 255-byte key id limit. */
export const KEY_NAME = /^[a-z][a-z0-9-]{0,62}$/;
