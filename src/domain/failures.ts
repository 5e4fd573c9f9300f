// Failures that say what to fix, for every layer: the catalog, the copy engine and the activities throw
// these, and the activity boundary (activities/failures.ts) turns each into a non-retryable Temporal
// failure of its type. Retrying cannot fix any of them; a person can, from the message.

/** The failure types a retry cannot fix; workflows list them as non-retryable. */
export const FailureType = {
  InvalidInput: 'InvalidInput',
  UnknownConnection: 'UnknownConnection',
  SourceNotFound: 'SourceNotFound',
  /** The account refused the connection's credential (401/403): revoked, expired, rotated or unauthorised. */
  AccessDenied: 'AccessDenied',
  /** A container the run works in is gone (deleted while it ran, or never there). */
  ContainerNotFound: 'ContainerNotFound',
  /** A catalog file cannot be read as what it should be: damaged, truncated or written by someone else. */
  CorruptCatalog: 'CorruptCatalog',
  /** Stored bytes that fail their check: a digest, a count, an authentication tag (tampered or truncated). */
  IntegrityFailure: 'IntegrityFailure',
  /** An encryption key that is unknown, misconfigured, or not the one the data was encrypted with. */
  EncryptionKey: 'EncryptionKey',
} as const;
export type FailureType = (typeof FailureType)[keyof typeof FailureType];

/** An input field that cannot work; the message starts with the field's name and says what would. */
export class InvalidInputError extends Error {
  constructor(
    readonly field: string,
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'InvalidInputError';
  }
}

/** What the input names (a container, a source's backups) is not there. */
export class NotFoundError extends Error {
  constructor(
    message: string,
    readonly details?: unknown,
  ) {
    super(message);
    this.name = 'NotFoundError';
  }
}

/** A catalog file that does not parse: retrying reads the same bytes, so the run stops and says which. */
export class CorruptCatalogError extends Error {
  constructor(
    readonly blob: string,
    why: string,
  ) {
    super(
      `catalog file ${blob} is corrupt (${why}); azbackup never rewrites a committed catalog file, so restore ` +
        'it from your own copy of the backup container (blob versioning or soft delete), or forget the run it ' +
        'belongs to with retention',
    );
    this.name = 'CorruptCatalogError';
  }
}

/** A run whose catalog lacks pages it counted: committing it would claim data it does not hold. */
export class IncompleteRunError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IncompleteRunError';
  }
}
