// Azure's naming rules for containers and blobs, checked before any request so bad input fails with
// a precise message instead of a 400 from the service halfway through a run.

export const MAX_BLOB_NAME_LENGTH = 1024;

/** Returns why `name` is not a valid container name, or undefined when it is. */
export function containerNameProblem(name: unknown): string | undefined {
  if (typeof name !== 'string' || name.length === 0) return 'is required';
  if (name === '$root' || name === '$web' || name === '$logs') return undefined;
  if (name.length < 3 || name.length > 63) return `must be 3 to 63 characters long (has ${name.length})`;
  if (!/^[a-z0-9-]+$/.test(name)) return 'may contain only lowercase letters, digits and dashes';
  if (!/^[a-z0-9]/.test(name) || name.endsWith('-')) return 'must start with a letter or digit and not end with a dash';
  if (name.includes('--')) return 'must not contain two dashes in a row';
  return undefined;
}

/** Returns why `prefix` is not a usable blob name prefix, or undefined when it is. */
export function blobPrefixProblem(prefix: unknown): string | undefined {
  if (prefix === undefined) return undefined;
  if (typeof prefix !== 'string') return 'must be a string';
  if (prefix.length > MAX_BLOB_NAME_LENGTH) {
    return `must be at most ${MAX_BLOB_NAME_LENGTH} characters (has ${prefix.length})`;
  }
  return undefined;
}
