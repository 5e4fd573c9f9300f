// Scrub on the real stack: every copy of a run read back and hashed. One flipped byte anywhere (its
// stored MD5 left intact, so only reading can tell) and one missing copy are found and named; a drill
// over the whole run and a deep-verifying restore report the flipped byte precisely too.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import type { ApplicationFailure } from '@temporalio/common';
import { isTombstone, type CatalogEntry } from '../../src/domain/catalog-record';
import type { ScrubBackupResult } from '../../src/workflows/scrub-backup';
import { scrubBackup } from '../../src/workflows/scrub-backup';
import type { BackupContainerResult } from '../../src/workflows/backup-container';
import { readNdjson } from '../../src/catalog/ndjson-blob';
import { useBlobFixture } from '../support/blob-fixture';
import { download, reportLines, runRecords } from '../support/catalog';
import { rootApplicationFailure } from '../support/failures';
import { uniqueName } from '../support/stack';

describe('scrub', () => {
  const fixture = useBlobFixture({ backupDefaults: { pageSize: 50 } });
  const { bk } = fixture;
  const container = uniqueName('scrub');
  let run: BackupContainerResult;
  let entries: CatalogEntry[];
  const scrub = () =>
    fixture.w.client.workflow.execute(scrubBackup, {
      taskQueue: fixture.w.taskQueue,
      workflowId: uniqueName('wf-scrub'),
      args: [{ backup: 'backup', backupContainer: fixture.backupName, source: { account: 'source', container } }],
    });
  const failureOf = async <T>(promise: Promise<T>) => {
    const err = await promise.then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(err instanceof WorkflowFailedError, String(err));
    return rootApplicationFailure(err)! as ApplicationFailure;
  };

  before(async () => {
    await fixture.seed(container, { count: 200 });
    run = await fixture.backup(container);
    entries = (await runRecords(bk(), 'source', container, run.runKey)).filter(
      (r) => !isTombstone(r),
    ) as CatalogEntry[];
  });

  it('reads back every copy of a clean run and finds nothing', async () => {
    const r: ScrubBackupResult = await scrub();
    assert.deepEqual([r.runKey, r.pages, r.checked, r.mismatched, r.missing], [run.runKey, 4, 200, 0, 0]);
    assert.equal(
      r.bytesRead,
      entries.reduce((n, e) => n + e.size, 0),
    );
  });

  it('finds one flipped byte and one missing copy among 200, names them; drill and deep restore report the flip', async () => {
    const flipped = entries[137]!;
    const gone = entries[61]!;
    // One byte flipped in place, the stored Content-MD5 put back: only reading the bytes can tell.
    const copy = bk().getBlockBlobClient(flipped.copy);
    const props = await copy.getProperties();
    const bytes = await download(copy);
    bytes[Math.floor(bytes.length / 2)]! ^= 0x01;
    const id = Buffer.from('flip').toString('base64');
    await copy.stageBlock(id, bytes, bytes.length);
    await copy.commitBlockList([id], { metadata: props.metadata });
    await copy.setHTTPHeaders({ blobContentMD5: props.contentMD5, blobContentType: props.contentType });
    await bk().deleteBlob(gone.copy);

    const failure = await failureOf(scrub());
    assert.equal(failure.type, 'ScrubMismatch');
    assert.equal(failure.nonRetryable, true);
    assert.match(failure.message, /found 2 bad copies \(1 mismatched, 1 missing\) in 200/);
    assert.ok(failure.message.includes(`${flipped.name} (${flipped.copy}): bytes hash to`), failure.message);
    const report = (failure.details?.[0] as ScrubBackupResult).report;
    const lines: { name: string; reason: string }[] = [];
    for await (const l of readNdjson<{ name: string; reason: string }>(bk().getBlobClient(report))) lines.push(l);
    assert.deepEqual(
      lines.map((l) => [l.name, l.reason.split(' ')[0]]),
      [
        [gone.name, 'the'],
        [flipped.name, 'bytes'],
      ].sort((a, b) => (a[0]! < b[0]! ? -1 : 1)),
    );

    // A drill over the whole run names the flipped blob (and the missing one).
    const drill = await failureOf(fixture.drill(container, { sample: { count: 200, seed: 1 } }));
    assert.equal(drill.type, 'DrillMismatch');
    assert.match(
      drill.message,
      new RegExp(`${flipped.name}: restored bytes hash to .*, the catalog says ${flipped.md5!.replace(/[+/]/g, '.')}`),
    );

    // A deep-verifying restore of the blob fails it, saying why; the bytes it wrote are not called good.
    const restored = await fixture.restore(container, {
      blobs: [flipped.name],
      verify: 'deep',
      target: { connection: 'source', container: uniqueName('scrub-to') },
    });
    assert.deepEqual([restored.restored, restored.failed], [0, 1]);
    const [line] = await reportLines(bk(), restored.report);
    assert.match(line!.reason, /verification failed: MD5 mismatch/);
  });
});
