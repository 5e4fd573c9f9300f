// A restore that overwrites replaces only the version its policy looked at (real stack): a blob written
// at the target between the restore's look and its copy is left as its writer wrote it, and reported.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConnectionRegistry } from '../../src/storage/connections';
import type { RequestDecorator } from '../../src/storage/pipeline-policies';
import { useBlobFixture } from '../support/blob-fixture';
import { download, reportLines } from '../support/catalog';
import { stackConfig, uniqueName } from '../support/stack';

describe('restore overwrite', () => {
  const clean = new ConnectionRegistry(stackConfig().connections);
  const target = uniqueName('ow-target');
  const targetBlob = (name: string) => clean.blob('source').service.getContainerClient(target).getBlockBlobClient(name);
  /** After the restore's HEAD of the target blob `raced`, another writer replaces it. */
  const raceWriter: RequestDecorator = async (request, next) => {
    const response = await next(request);
    const url = new URL(request.url);
    if (request.method === 'HEAD' && url.pathname.endsWith(`/${target}/raced`) && !raced) {
      raced = true;
      await targetBlob('raced').upload('written by someone else', 23);
    }
    return response;
  };
  let raced = false;
  const fixture = useBlobFixture({
    connectionOptions: { decorators: (name) => (name === 'source' ? [raceWriter] : []) },
  });

  it('always: replaces what it looked at, not a version written after the look', async () => {
    const c = uniqueName('ow-src');
    const { src, bk } = fixture;
    await src(c).create();
    for (const n of ['raced', 'calm'])
      await src(c)
        .getBlockBlobClient(n)
        .upload(`${n} v1`, n.length + 3);
    await fixture.backup(c);
    await src(target).create();
    for (const n of ['raced', 'calm']) await targetBlob(n).upload(`${n} old`, n.length + 4);
    const r = await fixture.restore(c, { target: { connection: 'source', container: target }, overwrite: 'always' });
    assert.ok(raced, 'the other writer wrote between the look and the copy');
    assert.deepEqual([r.restored, r.skipped, r.failed], [1, 1, 0]);
    assert.equal((await download(targetBlob('calm'))).toString(), 'calm v1');
    assert.equal((await download(targetBlob('raced'))).toString(), 'written by someone else');
    const [line] = await reportLines(bk(), r.report);
    assert.equal(line?.name, 'raced');
    assert.match(line!.reason, /written at the target by someone else while restoring/);
  });
});
