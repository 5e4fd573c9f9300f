// Errors of the streamed pipeline, named so that activities can tell "the data or the config is wrong"
// (a retry reads the same bytes and fails the same way: non-retryable) from a transient I/O failure.
// Temporal turns a thrown error into a failure whose type is the error's `name`, so
// NON_RETRYABLE_PIPELINE_ERRORS can go straight into a retry policy's `nonRetryableErrorTypes`.

/** What is wrong with the bytes, so callers and tests can branch on it rather than on message text. */
export type IntegrityProblem =
  /** The stream ends early: in the header, inside a chunk, or without its final chunk. */
  | 'truncated'
  /** A chunk's tag does not verify: wrong key, or the chunk was modified, moved, dropped or duplicated. */
  | 'authentication-failed'
  /** Bytes follow the final chunk. */
  | 'trailing-data'
  /** Not an azbackup encrypted stream, or an unreadable header. */
  | 'bad-header'
  /** A format version this build cannot read. */
  | 'unsupported-format'
  /** Byte count or SHA-256 differs from what the catalog recorded. */
  | 'digest-mismatch'
  /** An NDJSON line that is not JSON, or longer than allowed. */
  | 'malformed-record';

export class IntegrityError extends Error {
  constructor(
    readonly problem: IntegrityProblem,
    message: string,
    /** The encrypted chunk the problem was found at, when there is one. */
    readonly chunk?: number,
  ) {
    super(message);
    this.name = 'IntegrityError';
  }
}

/** The object was encrypted under another key id than the key the worker resolved for it. */
export class WrongKeyError extends Error {
  constructor(
    readonly neededKeyId: string,
    readonly resolvedKeyId: string,
  ) {
    super(
      `this object was encrypted with key id ${JSON.stringify(neededKeyId)}, ` +
        `but the key given to decrypt it is ${JSON.stringify(resolvedKeyId)}: resolve key ${JSON.stringify(neededKeyId)}`,
    );
    this.name = 'WrongKeyError';
  }
}

/** A key name that is not configured, or key material that cannot be used. Never carries the material. */
export class KeyConfigError extends Error {
  constructor(
    readonly keyName: string,
    message: string,
  ) {
    super(message);
    this.name = 'KeyConfigError';
  }
}

export const NON_RETRYABLE_PIPELINE_ERRORS = ['IntegrityError', 'WrongKeyError', 'KeyConfigError'] as const;
