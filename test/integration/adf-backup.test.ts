// Data Factory as the blob backup's mover, end to end on the real stack: backupContainer with `adf` plans each
// page, runs azbackup-copy-blobs on the ADF stand-in (which copies on Azurite as the pipeline describes),
// then verifies and catalogs every copy like the worker's own: a restore is byte-equal. Pages under the
// threshold stay with the worker; a failing run fails the backup with ADF's message; cancelling the
// backup cancels the run; a factory that is not configured or lacks the pipeline is refused before any write.
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { startLocalStandin, type LocalStandin } from '../../dev/adf-standin/test-client';
import { seedBlobs } from '../../dev/seed';
import { deployPipelines } from '../../src/adf/deploy';
import { deploySettings } from '../../src/adf/deploy-settings';
import { ADF_PIPELINES } from '../../src/adf/pipelines';
import type { AdfConnectionConfig } from '../../src/config/schema';
import { runRecords } from '../support/catalog';
import { useBlobFixture, type BlobFixtureOptions } from '../support/blob-fixture';
import { rootApplicationFailure } from '../support/failures';
import { stackConfig, stackInfo, uniqueName } from '../support/stack';
import { until } from '../support/worker-process';
import { backupContainer } from '../../src/workflows/backup-container';

const shared = stackConfig().connections.adf as AdfConnectionConfig;
const factory = uniqueName('adf-backup');
const bare = uniqueName('adf-bare'); // a factory nothing was deployed to

describe('blob backup moved by Data Factory', () => {
  let standin: LocalStandin;
  before(async () => {
    standin = await startLocalStandin({ config: stackInfo().config, caFile: shared.caFile! });
    fixtureOptions.extraConnections = {
      adf: { ...shared, endpoint: standin.url, factoryName: factory },
      'adf-bare': { ...shared, endpoint: standin.url, factoryName: bare },
    };
  });
  after(() => standin?.close());
  const fixtureOptions: BlobFixtureOptions = {
    backupDefaults: { adf: 'adf', adfPollEveryMs: 100, pageSize: 10 },
  };
  const fixture = useBlobFixture(fixtureOptions);
  before(async () => {
    const connections = fixture.w.connections;
    await deployPipelines(
      connections.dataFactory('adf'),
      deploySettings(connections, { source: 'source', backup: 'backup' }, (_f, resolve) => resolve()),
    );
  });

  const copyRuns = async () =>
    (await standin.control.stats(factory)).createRuns.filter((r) => r.pipelineName === ADF_PIPELINES.copyBlobs);

  it('moves every page through ADF, verifies and catalogs each copy, and restores byte-equal', async () => {
    const c = uniqueName('adf-all');
    const seeded = await seedBlobs(fixture.src(c), { count: 25 });
    const runsBefore = (await copyRuns()).length;
    const r = await fixture.backup(c, { mover: 'adf' });
    assert.deepEqual([r.listed, r.copied, r.failed, r.skipped, r.verified], [25, 25, 0, 0, true]);
    assert.equal(r.snapshotted, 25, 'every blob snapshotted before the move');
    const runs = (await copyRuns()).slice(runsBefore);
    assert.equal(runs.length, 3, 'one ADF run per page (25 blobs, pages of 10)');
    // The lists ADF read are this run's (staging, removed at its commit).
    for (const run of runs) assert.match(String(run.parameters.listPath), new RegExp(`/runs/${r.runKey}/adf/`));
    // Every catalog entry is verified, with a snapshot and the listed version's MD5.
    const records = await runRecords(fixture.bk(), r.sourceAccount, c, r.runKey);
    assert.equal(records.length, 25);
    const md5s = new Map(seeded.map((s) => [s.name, s.md5]));
    for (const e of records) {
      assert.ok('copy' in e && e.verified && e.snapshot, `${e.name} verified with a snapshot`);
      assert.equal(e.md5, md5s.get(e.name));
    }

    const target = uniqueName('adf-restored');
    const restored = await fixture.restore(c, { target: { connection: 'source', container: target } });
    assert.equal(restored.restored, 25);
    for (const s of seeded) {
      const bytes = await fixture.src(target).getBlobClient(s.name).downloadToBuffer();
      assert.equal(createHash('md5').update(bytes).digest('base64'), s.md5, `${s.name} restored byte-equal`);
    }
  });

  it('leaves pages under the threshold to the worker, and moves a page whose changed bytes reach it', async () => {
    const c = uniqueName('adf-threshold');
    await seedBlobs(fixture.src(c), { count: 10, sizeInBytes: 1000 });
    const before = (await copyRuns()).length;
    const small = await fixture.backup(c, { adfThresholdBytes: 1_000_000 });
    assert.deepEqual([small.copied, small.verified], [10, true]);
    assert.equal((await copyRuns()).length, before, 'no ADF run for a page of 10 KB under a 1 MB threshold');
    for (const name of ['item-000001.json', 'item-000002.json'])
      await fixture.src(c).getBlockBlobClient(name).upload('changed!', 8);
    const big = await fixture.backup(c, { adfThresholdBytes: 8 });
    assert.deepEqual([big.modified, big.copied, big.unchanged, big.verified], [2, 2, 8, true]);
    const runs = (await copyRuns()).slice(before);
    assert.equal(runs.length, 1, 'the changed page (16 bytes ≥ 8) went to ADF');
  });

  it("fails the backup with ADF's own message when the run fails, and the next run completes", async () => {
    const c = uniqueName('adf-fail');
    await seedBlobs(fixture.src(c), { count: 5 });
    await standin.control.fault(factory, { kind: 'fail', message: 'Operation on target CopyEach failed (injected)' });
    const err = await fixture.backup(c, { mover: 'adf' }).catch((e: unknown) => e);
    assert.ok(err instanceof WorkflowFailedError, String(err));
    const root = rootApplicationFailure(err);
    assert.equal(root?.type, 'AdfRunFailed');
    assert.match(root?.message ?? '', /Operation on target CopyEach failed \(injected\)/);
    const again = await fixture.backup(c, { mover: 'adf' });
    assert.deepEqual([again.copied, again.verified], [5, true]);
  });

  it('cancelling the backup cancels the Data Factory run', async () => {
    const c = uniqueName('adf-cancel');
    await seedBlobs(fixture.src(c), { count: 5 });
    await standin.control.fault(factory, { kind: 'stall' });
    const before = (await copyRuns()).length;
    const handle = await fixture.w.client.workflow.start(backupContainer, {
      taskQueue: fixture.w.taskQueue,
      workflowId: uniqueName('wf-adf-cancel'),
      args: [
        {
          source: 'source',
          container: c,
          backup: 'backup',
          backupContainer: fixture.backupName,
          adf: 'adf',
          mover: 'adf',
          adfPollEveryMs: 100,
        },
      ],
    });
    await until(async () => (await copyRuns()).length > before, 60_000, 'the ADF run started');
    const [run] = (await copyRuns()).slice(before);
    await handle.cancel();
    const err = await handle.result().catch((e: unknown) => e);
    assert.ok(err instanceof WorkflowFailedError && err.cause instanceof CancelledFailure, String(err));
    const { client, resourceGroup } = fixture.w.connections.dataFactory('adf');
    assert.equal((await client.pipelineRuns.get(resourceGroup, factory, run!.runId)).status, 'Cancelled');
    assert.deepEqual((await standin.control.stats(factory)).cancels.at(-1), { runId: run!.runId, isRecursive: true });
  });

  it('refuses a factory that is not configured, or lacks the pipeline, before anything is written', async () => {
    const c = uniqueName('adf-refused');
    await seedBlobs(fixture.src(c), { count: 3 });
    const cases: [string, string, RegExp][] = [
      ['nope', 'UnknownConnection', /adf/],
      ['source', 'UnknownConnection', /adf/],
      ['adf-bare', 'AdfPipelineNotFound', /azbackup-copy-blobs[\s\S]*azbackup adf deploy/],
    ];
    for (const [adf, type, message] of cases) {
      const bk = uniqueName('bk-refused');
      const err = await fixture.backup(c, { adf, mover: 'adf', backupContainer: bk }).catch((e: unknown) => e);
      const root = rootApplicationFailure(err);
      assert.ok(root instanceof ApplicationFailure, `${adf}: ${String(err)}`);
      assert.equal(root.type, type, `${adf}: ${root.message}`);
      assert.equal(root.nonRetryable, true);
      assert.match(root.message, message);
      assert.equal(await fixture.w.connections.blob('backup').service.getContainerClient(bk).exists(), false);
    }
  });

  it('refuses inputs that cannot work with ADF, naming the field', async () => {
    const c = uniqueName('adf-input');
    const cases: [Record<string, unknown>, RegExp][] = [
      [{ adf: undefined, mover: 'adf' }, /mover needs adf/],
      [{ adf: undefined, adfThresholdBytes: 5 }, /adfThresholdBytes needs adf/],
      [{ leaseMode: true }, /leaseMode cannot be used with adf/],
      [{ mover: 'factory' }, /mover must be one of 'worker', 'adf'/],
      [{ adfThresholdBytes: -1 }, /adfThresholdBytes must be a whole number/],
    ];
    for (const [input, message] of cases) {
      const err = await fixture.backup(c, input).catch((e: unknown) => e);
      const root = rootApplicationFailure(err);
      assert.equal(root?.type, 'InvalidInput', JSON.stringify(input));
      assert.match(root?.message ?? '', message);
    }
  });
});
