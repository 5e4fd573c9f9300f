// A worker killed while a Cosmos DB for MongoDB export runs: another worker finishes it, and every
// ObjectId window holds exactly the documents created in it, none twice, none missing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ObjectId } from 'mongodb';
import { ExportCatalog } from '../../src/catalog/export-catalog';
import { exportScope } from '../../src/domain/catalog-layout';
import { objectIdLowerBound } from '../../src/domain/objectid-windows';
import { backupMongoCollection } from '../../src/workflows/backup-mongo';
import { windowedProgressQuery } from '../../src/workflows/windowed-backup';
import { useBlobFixture } from '../support/blob-fixture';
import { uniqueName } from '../support/stack';
import { activityRunning, finishAfterCrash } from '../support/worker-process';

describe('worker killed mid-export (Cosmos DB for MongoDB)', () => {
  const fixture = useBlobFixture();

  it('completes on another worker; each window holds exactly its documents', async () => {
    const database = uniqueName('db').replace(/-/g, '_');
    const events = fixture.w.connections.mongo('mongo').db(database).collection('events');
    const now = Math.floor(Date.now() / 1000);
    await events.insertMany(
      Array.from({ length: 6000 }, (_, i) => ({
        _id: ObjectId.createFromTime(now - 6 * 3600 + i * 3),
        body: 'x'.repeat(2000),
      })),
    );
    const taskQueue = uniqueName('tq-mongo-crash');
    const workflowId = uniqueName('wf-mongo-crash');
    const result = await finishAfterCrash(
      taskQueue,
      () =>
        fixture.w.client.workflow.start(backupMongoCollection, {
          taskQueue,
          workflowId,
          args: [
            {
              mongo: 'mongo',
              database,
              collection: 'events',
              backup: 'backup',
              backupContainer: fixture.backupName,
              windowSeconds: 3600,
              settleSeconds: 0,
              maxConcurrentWindows: 1,
              encryptionKey: 'local',
            },
          ],
        }),
      async (handle) => {
        // A window in flight (one at a time) whose export is running: the kill interrupts it. Worker A's
        // writes to the backup account are slowed so that the export is still running when it dies.
        const p = await handle.query(windowedProgressQuery);
        if (!(p.windowsDone >= 1 && p.windowsDone < p.windowsTotal - 2 && p.currentWindow?.index === p.windowsDone))
          return false;
        return activityRunning(fixture.w.client, `${workflowId}/${p.runKey}/window-${p.windowsDone}`, 'exportWindow');
      },
      { slowRequests: { connection: 'backup', ms: 1500 } },
    );
    assert.equal(result.documents, 6000);
    let retried = 0;
    for (let i = 0; i < result.windows; i++) {
      const history = await fixture.w.client.workflow
        .getHandle(`${workflowId}/${result.runKey}/window-${i}`)
        .fetchHistory();
      if (history.events?.some((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1)) retried++;
    }
    assert.ok(retried >= 1, 'a window was interrupted mid-export and retried');
    const catalog = new ExportCatalog(fixture.bk(), exportScope('mongo', result.account, database, 'events'));
    for (let i = 0; i < result.windows - 1; i++) {
      const w = await catalog.window(result.runKey, i);
      const count = await events.countDocuments({
        _id: {
          $gte: new ObjectId(objectIdLowerBound(Math.ceil(w.fromMs / 1000))),
          $lt: new ObjectId(objectIdLowerBound(Math.ceil(w.toMs / 1000))),
        },
      });
      assert.equal(w.documents, count, `window ${i}: its documents, none twice, none missing`);
    }
  });
});
