// Lease mode: hold a lease on the source blob while it is snapshotted and copied, so the version copied
// is exactly the one snapshotted; renew while working, always release, never break another's lease.
import type { BlobClient } from '@azure/storage-blob';
import { errorCodeOf, statusCodeOf } from './failures';

const LEASE_SECONDS = 60;
const RENEW_EVERY_MS = 20_000;

export class LeasedByAnotherWriter extends Error {
  constructor(blob: string) {
    super(`leased by another writer (${blob}); it is picked up by a later run`);
    this.name = 'LeasedByAnotherWriter';
  }
}

export async function withLease<T>(
  blob: BlobClient,
  fn: (leaseId: string) => Promise<T>,
  abortSignal?: AbortSignal,
): Promise<T> {
  const lease = blob.getBlobLeaseClient();
  try {
    await lease.acquireLease(LEASE_SECONDS, { abortSignal });
  } catch (err) {
    if (statusCodeOf(err) === 409 && errorCodeOf(err) === 'LeaseAlreadyPresent')
      throw new LeasedByAnotherWriter(blob.name);
    throw err;
  }
  const renewal = setInterval(() => void lease.renewLease().catch(() => {}), RENEW_EVERY_MS);
  try {
    return await fn(lease.leaseId);
  } finally {
    clearInterval(renewal);
    await lease.releaseLease().catch(() => {}); // an expired lease is released anyway
  }
}
