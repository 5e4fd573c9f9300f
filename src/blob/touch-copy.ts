// Claiming an existing backup copy before reusing it. A copy no committed run references (left by an
// abandoned or crashed run) may have been marked by garbage collection, and reusing it does not change
// it: a sweep between this run's decision to reuse it and the journal entry naming it would delete it.
// The sweep deletes only what is unmodified since the mark (If-Unmodified-Since), so a conditional
// rewrite of the copy's own metadata, which bumps its Last-Modified, takes it out of that sweep.
import type { BlobGetPropertiesResponse, BlockBlobClient } from '@azure/storage-blob';
import { errorCodeOf, statusCodeOf } from '../storage/errors';

/**
 * Bumps the copy's Last-Modified without changing its content or metadata, and returns the properties
 * it read (with the ETag the touch gave it), so verification needs no second read. Undefined when the
 * copy is gone or changed meanwhile (404, 412: a sweep took it): the caller copies it again.
 */
export async function touchCopy(
  copy: BlockBlobClient,
  abortSignal: AbortSignal,
): Promise<BlobGetPropertiesResponse | undefined> {
  let props: BlobGetPropertiesResponse | undefined;
  try {
    props = await copy.getProperties({ abortSignal });
    // If-Match: exactly the copy that was found, never one recreated under the same name meanwhile.
    const touched = await copy.setMetadata(props.metadata, { conditions: { ifMatch: props.etag }, abortSignal });
    return { ...props, etag: touched.etag };
  } catch (err) {
    const status = statusCodeOf(err);
    if (status === 404 || status === 412) return undefined;
    // An archived copy cannot be modified; it was reused untouched before, and still is.
    if (status === 409 && errorCodeOf(err) === 'BlobArchived' && props) return props;
    throw err;
  }
}
