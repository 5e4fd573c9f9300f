// Lease mode: hold a lease on the source blob while it is snapshotted and copied, so the version copied
// is exactly the one snapshotted; renew while working, always release, never break another's lease.
// The lease id is proposed by the caller (derived from run and blob): after a crash, the retried page
// finds the lease its earlier attempt left and takes it up as its own instead of skipping the blob.
// A lease that cannot be renewed (broken by another party, or unreachable) is lost: the work under it
// is aborted and the item fails with the reason, rather than copying a version nothing protected.
import type { BlobClient, BlobLeaseClient } from '@azure/storage-blob';
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

export interface WithLeaseOptions {
  timing?: LeaseTiming;
  /** A GUID the caller derives from its work: the same on a retry, so a lease it left is recognised. */
  proposedLeaseId?: string;
}

export async function withLease<T>(
  blob: BlobClient,
  fn: (lease: HeldLease) => Promise<T>,
  abortSignal: AbortSignal,
  options: WithLeaseOptions = {},
): Promise<T> {
  const timing = options.timing ?? DEFAULT_LEASE_TIMING;
  const lease = blob.getBlobLeaseClient(options.proposedLeaseId);
  try {
    await lease.acquireLease(timing.seconds, { abortSignal });
  } catch (err) {
    if (statusCodeOf(err) !== 409 || errorCodeOf(err) !== 'LeaseAlreadyPresent') throw err;
    // Ours if renewing with our id works: an earlier attempt's lease, left by a crash.
    const ours = options.proposedLeaseId !== undefined && (await renewable(lease, abortSignal));
    if (!ours) throw new LeasedByAnotherWriter(blob.name);
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

/** Renewing with our id works only if the active lease is ours. */
async function renewable(lease: BlobLeaseClient, abortSignal: AbortSignal): Promise<boolean> {
  try {
    await lease.renewLease({ abortSignal });
    return true;
  } catch (err) {
    if (statusCodeOf(err) === 409) return false; // LeaseIdMismatchWithLeaseOperation: someone else's
    throw err;
  }
}
