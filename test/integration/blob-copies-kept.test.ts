// No copy a committed run references is ever deleted or rewritten in place (real stack): a corrupted
// copy survives full mode and an incremental run untouched, and restoring its run reports it precisely;
// an existing copy that fails verification is reported and the version copied again under a new name.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { backupObjectName, normalizeVersion } from '../../src/domain/backup-naming';
import { isTombstone, type CatalogEntry } from '../../src/domain/catalog-record';
import { useBlobFixture } from '../support/blob-fixture';
import { download, reportLines, runRecords } from '../support/catalog';
import { uniqueName } from '../support/stack';

describe('copies a committed run references', () => {
  const fixture = useBlobFixture();
  const { src, bk } = fixture;
  const put = (c: string, name: string, body: string) => src(c).getBlockBlobClient(name).upload(body, body.length);
  const entries = async (c: string, runKey: string) =>
    new Map(
      (await runRecords(bk(), 'source', c, runKey))
        .filter((r) => !isTombstone(r))
        .map((r) => [r.name, r as CatalogEntry]),
    );
  const etagOf = async (name: string) => (await bk().getBlobClient(name).getProperties()).etag;

  it('survive full mode and incremental runs untouched; a restore of their run reports the damage', async () => {
    const c = uniqueName('kept');
    await src(c).create();
    for (const n of ['a', 'b', 'c']) await put(c, n, `${n}-version-1`);
    const r1 = await fixture.backup(c);
    assert.equal(r1.verified, true);
    const first = await entries(c, r1.runKey);
    // Someone damages r1's copy of a after the fact (same size, other bytes).
    const aCopy = first.get('a')!.copy;
    await bk().getBlockBlobClient(aCopy).upload('A-version-1', 11);
    const damagedEtag = await etagOf(aCopy);

    const full = await fixture.backup(c, { mode: 'full' });
    assert.deepEqual([full.copied, full.failed, full.verified], [3, 0, true]);
    const second = await entries(c, full.runKey);
    for (const [name, entry] of second) {
      assert.notEqual(entry.copy, first.get(name)!.copy, `full mode wrote ${name} under a new name`);
      assert.match(entry.copy, new RegExp(`~${full.runKey}$`));
      assert.equal((await download(bk().getBlobClient(entry.copy))).toString(), `${name}-version-1`);
    }
    assert.equal(await etagOf(aCopy), damagedEtag, "r1's copy was neither deleted nor rewritten");
    for (const name of ['b', 'c'])
      assert.equal((await download(bk().getBlobClient(first.get(name)!.copy))).toString(), `${name}-version-1`);

    const incremental = await fixture.backup(c);
    assert.deepEqual([incremental.copied, incremental.unchanged], [0, 3]);
    assert.equal(await etagOf(aCopy), damagedEtag);

    // Restoring r1 gets b and c back, and says exactly what is wrong with a: never a silent gap.
    const to = uniqueName('to');
    const restored = await fixture.restore(c, { run: r1.runKey, target: { connection: 'source', container: to } });
    assert.deepEqual([restored.restored, restored.failed], [2, 1]);
    const [line] = await reportLines(bk(), restored.report);
    assert.equal(line?.name, 'a');
    assert.match(line!.reason, /verification failed: MD5 mismatch/);
    // The newer run restores every blob, a included.
    const again = await fixture.restore(c, {
      run: full.runKey,
      target: { connection: 'source', container: uniqueName('to') },
    });
    assert.deepEqual([again.restored, again.failed], [3, 0]);
  });

  it('an existing copy that fails verification is reported and kept, and the version copied again', async () => {
    const c = uniqueName('kept-reuse');
    await src(c).create();
    await put(c, 'keep', 'k');
    await fixture.backup(c);
    // A copy of n's version that an abandoned run left with the wrong bytes.
    await put(c, 'n', 'n-good');
    const etag = normalizeVersion((await src(c).getBlobClient('n').getProperties()).etag!);
    const planted = backupObjectName({ account: 'source', container: c, blobName: 'n', version: etag });
    await bk().getBlockBlobClient(planted).upload('n-bad!', 6);

    const r = await fixture.backup(c);
    assert.deepEqual([r.copied, r.failed, r.verified], [1, 0, true]);
    const n = (await entries(c, r.runKey)).get('n')!;
    assert.equal(
      n.copy,
      backupObjectName({ account: 'source', container: c, blobName: 'n', version: etag, generation: r.runKey }),
    );
    assert.equal((await download(bk().getBlobClient(n.copy))).toString(), 'n-good');
    // Kept with its bytes (touched first, like any copy a run considers reusing, so a sweep leaves it).
    assert.equal((await download(bk().getBlobClient(planted))).toString(), 'n-bad!', 'the failing copy was kept');
    const [line] = await reportLines(bk(), r.report);
    assert.equal(line?.name, 'n');
    assert.match(line!.reason, /the existing copy .* failed verification \(MD5 mismatch.*\); copied again/);
  });
});
