// Every workflow kind started the way an operator without azbackup's CLI does it: the real `temporal`
// binary, `temporal workflow start --type … --task-queue … --input '<json>'` with the same input shape the
// azbackup CLI sends, `temporal workflow result` to wait, then the result checked; and a Temporal Schedule
// created, described, triggered (its run completes) and deleted with `temporal schedule`. A start by azbackup's
// own CLI carries a summary and markdown details that `temporal workflow describe` shows.
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ApplyRetentionResult } from '../../src/workflows/apply-retention';
import type { BackupContainerResult } from '../../src/workflows/backup-container';
import type { RestoreContainerResult } from '../../src/workflows/restore-container';
import type { RestoreDrillResult } from '../../src/workflows/restore-drill';
import type { ScrubBackupResult } from '../../src/workflows/scrub-backup';
import type { WindowedBackupResult } from '../../src/workflows/windowed-backup';
import type { WindowedRestoreResult } from '../../src/workflows/windowed-restore';
import { useBlobFixture } from '../support/blob-fixture';
import { cli } from '../support/cli';
import { uniqueName } from '../support/stack';
import { cliWorkflowResult, temporal, temporalOk } from '../support/temporal-cli';

describe('the temporal CLI drives every workflow', () => {
  const fixture = useBlobFixture();
  const container = uniqueName('tcli');
  const source = { account: 'source', container };
  let first: BackupContainerResult;
  /** The newest committed run: a reconcile commits one too, and restores, scrubs and drills pick it. */
  let latest: string;
  /** The workflow id of the last `run`. */
  let lastId = '';

  /** `temporal workflow start`, then `temporal workflow result`: the decoded result. */
  const run = async <R>(type: string, input: object, extra: string[] = []): Promise<R> => {
    const workflowId = uniqueName(`tcli-${type}`);
    lastId = workflowId;
    const started = await temporalOk([
      'workflow',
      'start',
      '--type',
      type,
      '--task-queue',
      fixture.w.taskQueue,
      '--workflow-id',
      workflowId,
      '--input',
      JSON.stringify(input),
      ...extra,
    ]);
    assert.match(started, new RegExp(workflowId));
    return cliWorkflowResult<R>(workflowId);
  };
  const blobInput = { source: 'source', container, backup: 'backup', backupContainer: fixture.backupName };
  const catalogInput = { backup: 'backup', backupContainer: fixture.backupName, source };

  before(async () => {
    await fixture.seed(container, { count: 10, prefix: '2026/11/' });
    await fixture.seed(container, { count: 5, prefix: 'other/' });
  });

  it('backupContainer: copied, verified, found by its search attributes, its summary kept', async () => {
    const summary = `Back up source/${container} from the temporal CLI`;
    first = await run<BackupContainerResult>('backupContainer', blobInput, ['--static-summary', summary]);
    assert.equal(first.listed, 15);
    assert.equal(first.copied, 15);
    assert.equal(first.verified, true);
    assert.match(first.manifest, new RegExp(`^catalog/source/${container}/.*/manifests/`));
    const query = `BackupSource = "source/${container}" AND BackupKind = "blob-container" AND BackupStatus = "Completed"`;
    const listed = JSON.parse(await temporalOk(['workflow', 'list', '--query', query, '-o', 'json'])) as {
      execution: { workflowId: string };
    }[];
    assert.equal(listed.length, 1, JSON.stringify(listed));
    assert.match(listed[0]!.execution.workflowId, /^tcli-backupContainer-/);
    const described = await temporalOk(['workflow', 'describe', '--workflow-id', listed[0]!.execution.workflowId]);
    assert.match(described, new RegExp(summary));
  });

  it('reconcileContainer finds nothing to copy', async () => {
    const r = await run<BackupContainerResult>('reconcileContainer', blobInput);
    assert.deepEqual([r.listed, r.unchanged, r.copied, r.verified], [15, 15, 0, true]);
    latest = r.runKey;
  });

  it('restoreContainer as of now, under a prefix, into a new container', async () => {
    const target = uniqueName('tcli-restored');
    const r = await run<RestoreContainerResult>('restoreContainer', {
      ...catalogInput,
      asOf: new Date().toISOString(),
      prefix: '2026/11/',
      target: { connection: 'source', container: target },
      overwrite: 'never',
    });
    assert.deepEqual([r.runKey, r.matched, r.restored, r.failed], [latest, 10, 10, 0]);
    const names: string[] = [];
    for await (const b of fixture.src(target).listBlobsFlat()) names.push(b.name);
    assert.equal(names.length, 10);
    assert.ok(names.every((n) => n.startsWith('2026/11/')));
  });

  it('scrubBackup reads every copy back', async () => {
    const r = await run<ScrubBackupResult>('scrubBackup', catalogInput);
    assert.deepEqual([r.runKey, r.checked, r.mismatched, r.missing], [latest, 15, 0, 0]);
  });

  it('restoreDrill restores a seeded sample and compares it', async () => {
    const r = await run<RestoreDrillResult>('restoreDrill', {
      ...catalogInput,
      sample: { count: 5, seed: 7 },
      liveSource: 'source',
    });
    assert.deepEqual(
      [r.runKey, r.seed, r.sampled, r.restored, r.checked, r.mismatches],
      [latest, 7, 5, 5, 5, null], // `temporal workflow result` prints an empty list as null
    );
  });

  it('a second backup copies only the changed blob; applyRetention keeping the last run forgets the two before', async () => {
    await fixture.src(container).getBlockBlobClient('other/item-000000.json').upload('changed', 7);
    const second = await run<BackupContainerResult>('backupContainer', blobInput);
    assert.deepEqual([second.modified, second.copied, second.verified], [1, 1, true]);
    const r = await run<ApplyRetentionResult>('applyRetention', {
      ...catalogInput,
      policy: { keepLast: 1 },
      gracePeriodMs: 5000,
    });
    assert.deepEqual(
      [r.runsKept, r.runsRemoved, [...r.removedRuns].sort(), r.dryRun],
      [1, 2, [first.runKey, latest].sort(), false],
    );
  });

  it('backupCosmosContainer and restoreCosmos', async () => {
    const database = uniqueName('tcli-db');
    const cosmos = fixture.w.connections.cosmos('cosmos');
    const { database: db } = await cosmos.databases.createIfNotExists({ id: database });
    const { container: orders } = await db.containers.createIfNotExists({
      id: 'orders',
      partitionKey: { paths: ['/tenant'] },
    });
    for (let i = 0; i < 12; i++) await orders.items.upsert({ id: `o-${i}`, tenant: `t${i % 3}`, n: i });
    await sleep(1100); // settleSeconds 0 still keeps `to` in a past second
    const exported = await run<WindowedBackupResult>('backupCosmosContainer', {
      cosmos: 'cosmos',
      database,
      container: 'orders',
      backup: 'backup',
      backupContainer: fixture.backupName,
      encryptionKey: 'local',
      settleSeconds: 0,
    });
    assert.equal(exported.documents, 12);
    assert.ok(exported.manifest);
    // Each window's child workflow is named by its times in the UI and CLI.
    const window0 = await temporalOk([
      'workflow',
      'describe',
      '--workflow-id',
      `${lastId}/${exported.runKey}/window-0`,
    ]);
    assert.match(window0, /^\s+StaticSummary\s+"window 0: \d{4}-\d\d-\d\dT\d\d:\d\dZ…(\d\d:\d\d|\S+T\d\d:\d\d)Z"$/m);
    const restored = await run<WindowedRestoreResult>('restoreCosmos', {
      backup: 'backup',
      backupContainer: fixture.backupName,
      source: { account: exported.account, database, container: 'orders' },
      target: { connection: 'cosmos', database, container: 'orders-restored' },
    });
    assert.deepEqual([restored.read, restored.upserted], [12, 12]);
    const { resources } = await db.container('orders-restored').items.readAll().fetchAll();
    assert.deepEqual(resources.map((d) => d.id as string).sort(), [...Array(12).keys()].map((i) => `o-${i}`).sort());
  });

  it('backupMongoCollection and restoreMongo', async () => {
    const database = uniqueName('tcli_db').replace(/-/g, '_');
    const db = fixture.w.connections.mongo('mongo').db(database);
    await db.collection('events').insertMany([...Array(9).keys()].map((n) => ({ n })));
    await sleep(1100);
    const exported = await run<WindowedBackupResult>('backupMongoCollection', {
      mongo: 'mongo',
      database,
      collection: 'events',
      backup: 'backup',
      backupContainer: fixture.backupName,
      encryptionKey: 'local',
      settleSeconds: 0,
    });
    assert.equal(exported.documents, 9);
    const restored = await run<WindowedRestoreResult>('restoreMongo', {
      backup: 'backup',
      backupContainer: fixture.backupName,
      source: { account: exported.account, database, container: 'events' },
      target: { connection: 'mongo', database, container: 'events_restored' },
    });
    assert.deepEqual([restored.read, restored.upserted], [9, 9]);
    assert.equal(await db.collection('events_restored').countDocuments(), 9);
  });

  it('temporal schedule create, describe, trigger (the run completes) and delete', async () => {
    const scheduleId = uniqueName('tcli-schedule');
    await temporalOk([
      'schedule',
      'create',
      '--schedule-id',
      scheduleId,
      '--interval',
      '24h',
      '--task-queue',
      fixture.w.taskQueue,
      '--workflow-id',
      `${scheduleId}-run`,
      '--type',
      'scrubBackup',
      '--input',
      JSON.stringify(catalogInput),
    ]);
    try {
      const described = await temporalOk(['schedule', 'describe', '--schedule-id', scheduleId, '-o', 'json']);
      assert.match(described, /scrubBackup/);
      assert.match(described, new RegExp(fixture.w.taskQueue));
      await temporalOk(['schedule', 'trigger', '--schedule-id', scheduleId]);
      const query = `TemporalScheduledById = "${scheduleId}"`;
      let runs: { execution: { workflowId: string } }[] = [];
      for (let i = 0; i < 60 && runs.length === 0; i++, await sleep(500))
        runs = JSON.parse((await temporalOk(['workflow', 'list', '--query', query, '-o', 'json'])) || '[]') ?? [];
      assert.equal(runs.length, 1, 'the trigger started one run');
      const r = await cliWorkflowResult<ScrubBackupResult>(runs[0]!.execution.workflowId);
      assert.equal(r.mismatched + r.missing, 0);
      assert.ok(r.checked > 0);
    } finally {
      await temporalOk(['schedule', 'delete', '--schedule-id', scheduleId]);
    }
    const gone = await temporal(['schedule', 'describe', '--schedule-id', scheduleId]);
    assert.notEqual(gone.code, 0);
    assert.match(gone.stderr, /not found/i);
  });
  it("a start by azbackup's CLI carries its summary and markdown details, which the temporal CLI shows", async () => {
    const workflowId = uniqueName('tcli-azbackup');
    const started = await cli([
      'backup',
      ...['--source', 'source', '--container', container, '--backup', 'backup'],
      ...['--backup-container', fixture.backupName, '--task-queue', fixture.w.taskQueue, '--workflow-id', workflowId],
      '--wait',
    ]);
    assert.equal(started.code, 0, started.out);
    const described = await temporalOk(['workflow', 'describe', '--workflow-id', workflowId]);
    // Printed as quoted strings under "Metadata:".
    const printed = (field: string) => JSON.parse(new RegExp(`^\\s+${field}\\s+(".*")$`, 'm').exec(described)![1]!);
    assert.equal(printed('StaticSummary'), `Back up source/${container} to backup`);
    const ui = `${fixture.w.config.temporal.uiUrl}/namespaces/default/workflows/${workflowId}`;
    assert.equal(
      printed('StaticDetails'),
      [
        '**azbackup backup**',
        '',
        `- **Source:** \`source/${container}\``,
        `- **Target:** \`backup/${fixture.backupName}\``,
        '- **Mode:** incremental, verify md5',
        `- **Links:** [this run in the Temporal UI](${ui}) · watch with \`azbackup progress ${workflowId}\``,
      ].join('\n'),
    );
  });
});
