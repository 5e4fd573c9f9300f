// Lease mode: hold a lease on the source blob while it is snapshotted and copied, so the version copied
// is exactly the one snapshotted; renew while working, always release, never break another's lease.
// A lease that cannot be renewed (broken by another party, or unreachable) is lost: the work under it
// is aborted and the item fails with the reason, rather than copying a version nothing protected.
import type { BlobClient } from '@azure/storage-blob';
import { errorCodeOf, firstLine, statusCodeOf } from '../storage/errors';

export interface LeaseTiming {
  /** Lease duration: 15 to 60 seconds. */
  seconds: number;
  /** Renewal period: well inside the duration, so one slow renewal does not let the lease lapse. */
  renewEveryMs: number;
}

export const DEFAULT_LEASE_TIMING: LeaseTiming = { seconds: 60, renewEveryMs: 20_000 };

export class LeasedByAnotherWriter extends Error {
  constructor(blob: string) {
    super(`leased by another writer (${blob}); it is picked up by a later run`);
    this.name = 'LeasedByAnotherWriter';
  }
}

export class LeaseLost extends Error {
  constructor(blob: string, cause: unknown) {
    const why = `${statusCodeOf(cause) ?? ''} ${errorCodeOf(cause) ?? ''}`.trim() || firstLine(cause);
    super(`lost the lease on ${blob} while backing it up (${why}); a later run backs it up again`);
    this.name = 'LeaseLost';
  }
}

export interface HeldLease {
  id: string;
  /** Aborts when the lease is lost (or the activity is cancelled): pass it to every call made under it. */
  abortSignal: AbortSignal;
}

export async function withLease<T>(
  blob: BlobClient,
  fn: (lease: HeldLease) => Promise<T>,
  abortSignal: AbortSignal,
  timing: LeaseTiming = DEFAULT_LEASE_TIMING,
): Promise<T> {
  const lease = blob.getBlobLeaseClient();
  try {
    await lease.acquireLease(timing.seconds, { abortSignal });
  } catch (err) {
    if (statusCodeOf(err) === 409 && errorCodeOf(err) === 'LeaseAlreadyPresent')
      throw new LeasedByAnotherWriter(blob.name);
    throw err;
  }
  const work = new AbortController();
  const cancel = () => work.abort(abortSignal.reason);
  abortSignal.addEventListener('abort', cancel, { once: true });
  let lost: unknown;
  const lose = (err: unknown) => {
    if (abortSignal.aborted || lost !== undefined) return; // a cancelled activity lost nothing
    lost = err;
    work.abort(new LeaseLost(blob.name, err));
  };
  let renewing: Promise<void> = Promise.resolve();
  const renewal = setInterval(() => {
    renewing = lease.renewLease({ abortSignal: work.signal }).then(() => undefined, lose);
  }, timing.renewEveryMs);
  try {
    const result = await fn({ id: lease.leaseId, abortSignal: work.signal });
    clearInterval(renewal);
    await renewing;
    // A break since the last renewal would otherwise go unseen: confirm the lease is still ours.
    if (lost === undefined) await lease.renewLease({ abortSignal }).catch(lose);
    if (lost !== undefined) throw new LeaseLost(blob.name, lost);
    return result;
  } catch (err) {
    if (lost !== undefined) throw new LeaseLost(blob.name, lost);
    throw err;
  } finally {
    clearInterval(renewal);
    abortSignal.removeEventListener('abort', cancel);
    await lease.releaseLease().catch(() => {}); // an expired or broken lease is released anyway
  }
}
