// A worker killed while a Cosmos DB export runs: another worker finishes it, and every window holds
// exactly the documents of its `_ts` range, none twice, none missing (a window is rewritten whole on
// retry: its object's block list is committed only at the end).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ExportCatalog } from '../../src/catalog/export-catalog';
import { exportScope } from '../../src/domain/catalog-layout';
import { cosmosTsBounds } from '../../src/domain/time-windows';
import { backupCosmosContainer } from '../../src/workflows/backup-cosmos';
import { windowedProgressQuery } from '../../src/workflows/windowed-backup';
import { useBlobFixture } from '../support/blob-fixture';
import { uniqueName } from '../support/stack';
import { activityRunning, finishAfterCrash } from '../support/worker-process';

describe('worker killed mid-export (Cosmos DB)', () => {
  const fixture = useBlobFixture();

  it('completes on another worker; each window holds exactly its documents', async () => {
    const cosmos = fixture.w.connections.cosmos('cosmos');
    const database = uniqueName('db-crash');
    const { database: db } = await cosmos.databases.createIfNotExists({ id: database });
    const { container } = await db.containers.createIfNotExists({ id: 'orders', partitionKey: { paths: ['/tenant'] } });
    for (let batch = 0; batch < 6; batch++) {
      await Promise.all(
        Array.from({ length: 300 }, (_, i) =>
          container.items.upsert({
            id: `o-${batch}-${i}`,
            tenant: `t${i % 5}`,
            batch,
            body: randomBytes(9000).toString('base64'),
          }),
        ),
      );
      await sleep(1100);
    }
    const taskQueue = uniqueName('tq-cosmos-crash');
    const workflowId = uniqueName('wf-cosmos-crash');
    const result = await finishAfterCrash(
      taskQueue,
      () =>
        fixture.w.client.workflow.start(backupCosmosContainer, {
          taskQueue,
          workflowId,
          args: [
            {
              cosmos: 'cosmos',
              database,
              container: 'orders',
              backup: 'backup',
              backupContainer: fixture.backupName,
              windowSeconds: 1,
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
        if (!(p.windowsDone >= 1 && p.windowsDone < p.windowsTotal - 1 && p.currentWindow?.index === p.windowsDone))
          return false;
        return activityRunning(fixture.w.client, `${workflowId}/${p.runKey}/window-${p.windowsDone}`, 'exportWindow');
      },
      { slowRequests: { connection: 'backup', ms: 1500 } },
    );
    assert.equal(result.documents, 1800);
    // Some window's export was interrupted and run again (a second attempt of its activity).
    let retried = 0;
    for (let i = 0; i < result.windows; i++) {
      const history = await fixture.w.client.workflow
        .getHandle(`${workflowId}/${result.runKey}/window-${i}`)
        .fetchHistory();
      if (history.events?.some((e) => (e.activityTaskStartedEventAttributes?.attempt ?? 1) > 1)) retried++;
    }
    assert.ok(retried >= 1, 'a window was interrupted mid-export and retried');
    const catalog = new ExportCatalog(fixture.bk(), exportScope('cosmos-sql', result.account, database, 'orders'));
    for (let i = 0; i < result.windows; i++) {
      const w = await catalog.window(result.runKey, i);
      const { fromTs, toTs } = cosmosTsBounds(w);
      const { resources } = await container.items
        .query<number>({
          query: 'SELECT VALUE COUNT(1) FROM c WHERE c._ts >= @a AND c._ts < @b',
          parameters: [
            { name: '@a', value: fromTs },
            { name: '@b', value: toTs },
          ],
        })
        .fetchAll();
      assert.equal(w.documents, resources[0], `window ${i}: its documents, none twice, none missing`);
    }
  });
});
