// Errors of the storage layer that name what was asked for, so activities can turn them into
// non-retryable failures with a message a person can act on.

export class UnknownConnectionError extends Error {
  constructor(
    readonly connection: string,
    readonly known: string[],
  ) {
    super(
      `unknown connection ${JSON.stringify(connection)}; this worker's config defines: ` +
        (known.length ? known.join(', ') : '(none)'),
    );
    this.name = 'UnknownConnectionError';
  }
}

export class WrongConnectionKindError extends Error {
  constructor(
    readonly connection: string,
    readonly expected: string,
    readonly actual: string,
  ) {
    super(`connection ${JSON.stringify(connection)} is a ${actual} connection, not a ${expected} connection`);
    this.name = 'WrongConnectionKindError';
  }
}
