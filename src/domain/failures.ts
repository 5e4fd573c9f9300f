// Failures that say what to fix, for every layer: the catalog, the copy engine and the activities throw
// these, and the activity boundary (activities/failures.ts) turns each into a non-retryable Temporal
// failure of its type. Retrying cannot fix any of them; a person can, from the message.

/** The failure types a retry cannot fix; workflows list them as non-retryable. */
export const FailureType = {
  InvalidInput: 'InvalidInput',
  UnknownConnection: 'UnknownConnection',
  SourceNotFound: 'SourceNotFound',
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
