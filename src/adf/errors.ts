// What goes wrong with a Data Factory run, as plain errors that say what to fix (the activity boundary,
// src/activities/adf.ts, turns each into a non-retryable Temporal failure of its type). A request ADF
// refuses for good (4xx other than 408/429) is an AdfRequestError carrying ADF's own code and message;
// a run that ends Failed or Cancelled is an AdfRunEndedError carrying the run id and ADF's message.

/** Failure types of the ADF mover (ApplicationFailure types; none of them is retried). */
export const AdfFailureType = {
  /** The run ended Failed: ADF's message says which activity and why. */
  RunFailed: 'AdfRunFailed',
  /** The run ended Cancelled (by someone other than this activity). */
  RunCancelled: 'AdfRunCancelled',
  /** The pipeline is not deployed in the factory (`azbackup adf deploy`). */
  PipelineNotFound: 'AdfPipelineNotFound',
  /** The run id the activity was to watch (or rerun) is not known to the factory. */
  RunNotFound: 'AdfRunNotFound',
  /** ADF refused the request (400: bad parameters, a bad rerun reference, ...). */
  RequestRejected: 'AdfRequestRejected',
} as const;
export type AdfFailureType = (typeof AdfFailureType)[keyof typeof AdfFailureType];

/** A request Data Factory answered with a 4xx that no retry changes. */
export class AdfRequestError extends Error {
  constructor(
    /** What was asked, e.g. `createRun of pipeline azbackup-copy-blobs`. */
    readonly operation: string,
    readonly statusCode: number,
    /** ADF's error code: PipelineNotFound, BadRequest, ... */
    readonly code: string | undefined,
    /** ADF's own message. */
    readonly adfMessage: string,
  ) {
    super(`${operation}: Data Factory answered ${statusCode}${code ? ` ${code}` : ''}: ${adfMessage}`);
    this.name = 'AdfRequestError';
  }
}

/** A run that ended other than Succeeded. */
export class AdfRunEndedError extends Error {
  constructor(
    readonly runId: string,
    readonly pipeline: string,
    readonly status: 'Failed' | 'Cancelled',
    /** ADF's message for the run (for a failure: which activity failed and why). */
    readonly adfMessage: string,
  ) {
    super(
      `Data Factory run ${runId} of pipeline ${pipeline} ended ${status}` +
        `${adfMessage ? `: ${adfMessage}` : ''}${status === 'Failed' ? ' (rerun it from the failure with rerun.referencePipelineRunId)' : ''}`,
    );
    this.name = 'AdfRunEndedError';
  }
}
