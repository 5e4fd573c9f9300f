// Hostile input, in one table: every workflow (backup, reconcile, restore, retention, drill) and the CLI
// meet malformed input (not an object, null sub-objects, wrong types, unknown choices, bad or unknown
// names, numbers out of range, contradictory fields, a target that is the backup itself). Each must end in
// a clear, specific, non-retryable error naming the field, before any side effect: the backup container
// and the source (snapshots included) list exactly as before, no target or scratch container exists, and
// the CLI exits 2 without starting a workflow (or, for input only the workflow can judge, exits 1 with the
// workflow's message).
import type { ContainerClient } from '@azure/storage-blob';
import { WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure, WorkflowNotFoundError } from '@temporalio/common';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { DEFAULT_BACKUP_CONTAINER } from '../../src/domain/defaults';
import { useBlobFixture } from '../support/blob-fixture';
import { rootApplicationFailure } from '../support/failures';
import { stackConfig, uniqueName } from '../support/stack';
import { cli } from '../support/cli';
import { runKey } from '../../src/domain/catalog-layout';

type WorkflowType = 'backupContainer' | 'reconcileContainer' | 'restoreContainer' | 'applyRetention' | 'restoreDrill';
type FailureType = 'InvalidInput' | 'UnknownConnection' | 'SourceNotFound';

/** What a case may use: the seeded source container, the file's backup container, and names of its own. */
interface CaseContext {
  /** The source container (seeded, backed up once). */
  c: string;
  /** The file's backup container, holding one committed run of `c`. */
  bk: string;
  /** A container name of this case's own that must not exist afterwards (a target, a scratch, a backup). */
  fresh: string;
  /** A task queue of this case's own that no worker polls: a CLI start that slipped through waits there. */
  idle: string;
  /** The file's worker's task queue: for CLI cases whose workflow starts and must refuse the input itself. */
  queue: string;
}

interface WorkflowCase {
  name: string;
  workflow: WorkflowType;
  /** The workflow's arguments: `[input]`, or `[]` for no input at all. */
  args: (t: CaseContext) => unknown[];
  /** Default InvalidInput. */
  type?: FailureType;
  /** The field the message must name (`(input)` for the input itself). */
  field: string;
  todo?: string;
}

interface CliCase {
  name: string;
  cli: (t: CaseContext) => string[];
  /** Default 2 (usage). */
  exit?: number;
  says: RegExp;
  /** The workflow id the command would start by default, when it can be known. */
  defaultId?: (t: CaseContext) => string;
  /**
   * The input passes the CLI's own checks: the workflow starts (on the worker's queue) and must refuse it;
   * the CLI exits 1 with the workflow's message. Without it, nothing may start.
   */
  starts?: boolean;
  todo?: string;
}

type Case = WorkflowCase | CliCase;

const backupInput = (t: CaseContext) => ({
  source: 'source',
  container: t.c,
  backup: 'backup',
  backupContainer: t.fresh,
});
const backupWith = (fields: Record<string, unknown>) => (t: CaseContext) => [{ ...backupInput(t), ...fields }];
const location = (t: CaseContext) => ({
  backup: 'backup',
  backupContainer: t.bk,
  source: { account: 'source', container: t.c },
});
const restoreWith = (fields: Record<string, unknown>) => (t: CaseContext) => [
  { ...location(t), target: { connection: 'backup', container: t.fresh }, ...fields },
];
const retentionWith = (fields: Record<string, unknown>) => (t: CaseContext) => [
  { ...location(t), policy: { keepLast: 5 }, gracePeriodMs: 5000, ...fields },
];
const drillWith = (fields: Record<string, unknown>) => (t: CaseContext) => [
  { ...location(t), sample: { count: 2 }, scratch: { connection: 'backup', container: t.fresh }, ...fields },
];
const GiB = 1024 * 1024 * 1024;
const aCarry = { runKey: '20260101T000000000Z-deadbeef', startedAtMs: 0, pageIndex: 3 };

/** A workflow case: `field` is what the message must name; the failure is InvalidInput unless `more.type` says. */
const bad =
  (workflow: WorkflowType, label: string) =>
  (
    what: string,
    args: (t: CaseContext) => unknown[],
    field: string,
    more: { type?: FailureType; todo?: string } = {},
  ): WorkflowCase => ({ name: `${label}: ${what}`, workflow, args, field, ...more });
const backup = bad('backupContainer', 'backup');
const reconcile = bad('reconcileContainer', 'reconcile');
const restore = bad('restoreContainer', 'restore');
const retention = bad('applyRetention', 'retention');
const drill = bad('restoreDrill', 'drill');
const unknown = { type: 'UnknownConnection' } as const;

/** `{c}`, `{bk}`, `{fresh}`, `{idle}` (and `{C}`, `{FRESH}` uppercased) filled in from the case's context. */
function fill(template: string, t: CaseContext): string {
  const values: Record<string, string> = { ...t, C: t.c.toUpperCase(), FRESH: t.fresh.toUpperCase() };
  return template.replace(/\{(\w+)\}/g, (_, k: string) => values[k] ?? `{${k}}`);
}

/** A CLI case: the command line, what its output must say, and the workflow id it would start by default. */
function usage(
  what: string,
  command: string,
  says: RegExp,
  defaultId?: string,
  more: { exit?: number; starts?: boolean; todo?: string } = {},
): CliCase {
  return {
    name: `cli ${what}`,
    cli: (t) => fill(command, t).split(' '),
    says,
    defaultId: defaultId === undefined ? undefined : (t) => fill(defaultId, t),
    ...more,
  };
}

const CASES: Case[] = [
  backup('no input at all', () => [], '(input)'),
  backup('null', () => [null], '(input)'),
  backup('a list', (t) => [[backupInput(t)]], '(input)'),
  backup('a string', (t) => [`source/${t.c}`], '(input)'),
  backup('concurrency "16"', backupWith({ concurrency: '16' }), 'concurrency'),
  backup('snapshot "true"', backupWith({ snapshot: 'true' }), 'snapshot'),
  backup('leaseMode "yes"', backupWith({ leaseMode: 'yes' }), 'leaseMode'),
  backup('prefix 42', backupWith({ prefix: 42 }), 'prefix'),
  backup('mode differential', backupWith({ mode: 'differential' }), 'mode'),
  backup('verify sha256', backupWith({ verify: 'sha256' }), 'verify'),
  backup('container uppercase', backupWith({ container: 'Photos' }), 'container'),
  backup('container too short', backupWith({ container: 'ab' }), 'container'),
  backup('container with --', backupWith({ container: 'a--b' }), 'container'),
  backup('backupContainer uppercase', backupWith({ backupContainer: 'Bk' }), 'backupContainer'),
  backup('source not a connection name', backupWith({ source: 'Source!' }), 'source'),
  backup('unknown source connection', backupWith({ source: 'nosuch' }), 'source', unknown),
  backup('backup is a cosmos connection', backupWith({ backup: 'cosmos' }), 'backup', unknown),
  backup('source is an adf connection', backupWith({ source: 'adf' }), 'source', unknown),
  backup('blockBytes 0', backupWith({ blockBytes: 0 }), 'blockBytes'),
  backup('blockBytes 1', backupWith({ blockBytes: 1 }), 'blockBytes'),
  backup('blockBytes 5 GiB', backupWith({ blockBytes: 5 * GiB }), 'blockBytes'),
  backup('pageSize 5001', backupWith({ pageSize: 5001 }), 'pageSize'),
  backup('concurrency 0', backupWith({ concurrency: 0 }), 'concurrency'),
  backup('concurrency 1001', backupWith({ concurrency: 1001 }), 'concurrency'),
  backup('a carry on a fresh start', backupWith({ carry: aCarry }), 'carry'),
  backup('source container missing', (t) => backupWith({ container: `${t.fresh}-missing` })(t), 'container', {
    type: 'SourceNotFound',
  }),

  reconcile('null', () => [null], '(input)', {}),
  reconcile('a string', (t) => [t.c], '(input)', {}),
  reconcile('verify paranoid', backupWith({ verify: 'paranoid' }), 'verify'),
  reconcile('a carry on a fresh start', backupWith({ carry: aCarry }), 'carry'),
  reconcile('backup is an adf connection', backupWith({ backup: 'adf' }), 'backup', unknown),
  reconcile('pageSize "100"', backupWith({ pageSize: '100' }), 'pageSize'),

  restore('undefined', () => [undefined], '(input)'),
  restore('a string', () => ['restore everything'], '(input)'),
  restore('source null', restoreWith({ source: null }), 'source'),
  restore('target null', restoreWith({ target: null }), 'target'),
  restore(
    'source.account not an account name',
    restoreWith({ source: { account: 'Source', container: 'c1' } }),
    'source.account',
  ),
  restore('asOf in the future', restoreWith({ asOf: new Date(Date.now() + 86_400_000).toISOString() }), 'asOf'),
  restore('asOf not a time', restoreWith({ asOf: 'yesterday' }), 'asOf'),
  restore('asOf before the first run', restoreWith({ asOf: '2001-01-01T00:00:00Z' }), 'asOf'),
  restore('run and asOf together', restoreWith({ run: aCarry.runKey, asOf: '2001-01-01T00:00:00Z' }), 'run'),
  restore('an unknown run', restoreWith({ run: aCarry.runKey }), 'run'),
  restore('prefix and blobs together', restoreWith({ prefix: 'item-', blobs: ['item-000001.json'] }), 'blobs'),
  restore('blobs empty', restoreWith({ blobs: [] }), 'blobs'),
  restore('1,001 blobs', restoreWith({ blobs: Array.from({ length: 1001 }, (_, i) => `b${i}`) }), 'blobs'),
  restore("blobs holding ''", restoreWith({ blobs: ['item-000001.json', ''] }), 'blobs'),
  restore('overwrite sometimes', restoreWith({ overwrite: 'sometimes' }), 'overwrite'),
  restore('verify none', restoreWith({ verify: 'none' }), 'verify'),
  restore('dryRun "false"', restoreWith({ dryRun: 'false' }), 'dryRun'),
  restore('concurrency "4"', restoreWith({ concurrency: '4' }), 'concurrency'),
  restore('a carry on a fresh start', restoreWith({ carry: aCarry }), 'carry'),
  restore(
    'target is the backup container',
    (t) => restoreWith({ target: { connection: 'backup', container: t.bk } })(t),
    'target.container',
  ),
  restore(
    'target is the backup container through another connection name',
    (t) => restoreWith({ target: { connection: 'backup-alias', container: t.bk } })(t),
    'target.container',
  ),
  restore(
    'target is the default backup container',
    (t) => [
      {
        ...location(t),
        backupContainer: undefined,
        target: { connection: 'backup', container: DEFAULT_BACKUP_CONTAINER },
      },
    ],
    'target.container',
  ),
  restore(
    'unknown target connection',
    (t) => restoreWith({ target: { connection: 'nosuch', container: t.fresh } })(t),
    'target.connection',
    unknown,
  ),
  restore('backup is a cosmos connection', restoreWith({ backup: 'cosmos' }), 'backup', unknown),

  retention('null', () => [null], '(input)'),
  retention('a list', (t) => [retentionWith({})(t)], '(input)'),
  retention('policy null', retentionWith({ policy: null }), 'policy'),
  retention('empty policy', retentionWith({ policy: {} }), 'policy'),
  retention("keepWithin '0d'", retentionWith({ policy: { keepWithin: '0d' } }), 'policy'),
  retention("keepWithin '0h'", retentionWith({ policy: { keepWithin: '0h' } }), 'policy'),
  retention("keepWithin 'forever'", retentionWith({ policy: { keepWithin: 'forever' } }), 'policy.keepWithin'),
  retention('keepLast -1', retentionWith({ policy: { keepLast: -1 } }), 'policy.keepLast'),
  retention('keepDaily "7"', retentionWith({ policy: { keepDaily: '7' } }), 'policy.keepDaily'),
  retention('gracePeriodMs 0', retentionWith({ gracePeriodMs: 0 }), 'gracePeriodMs'),
  retention('gracePeriodMs 1000', retentionWith({ gracePeriodMs: 1000 }), 'gracePeriodMs'),
  retention('abandonedAfterMs 0', retentionWith({ abandonedAfterMs: 0 }), 'abandonedAfterMs'),
  retention('abandonedAfterMs 60000', retentionWith({ abandonedAfterMs: 60_000 }), 'abandonedAfterMs'),
  retention('sourceSnapshots null', retentionWith({ sourceSnapshots: null }), 'sourceSnapshots'),
  retention(
    'sourceSnapshots without a limit',
    retentionWith({ sourceSnapshots: { source: 'source' } }),
    'sourceSnapshots',
  ),
  retention(
    'sourceSnapshots through a cosmos connection',
    retentionWith({ sourceSnapshots: { source: 'cosmos', keepNewest: 1 } }),
    'sourceSnapshots.source',
    unknown,
  ),
  retention(
    'sourceSnapshots through an unknown connection',
    retentionWith({ sourceSnapshots: { source: 'nosuch', keepNewest: 1 } }),
    'sourceSnapshots.source',
    unknown,
  ),
  retention('dryRun "yes"', retentionWith({ dryRun: 'yes' }), 'dryRun'),
  retention(
    'source.container with --',
    retentionWith({ source: { account: 'source', container: 'a--b' } }),
    'source.container',
  ),
  retention('unknown backup connection', retentionWith({ backup: 'nosuch' }), 'backup', unknown),

  drill('a string', () => ['drill'], '(input)'),
  drill('sample null', drillWith({ sample: null }), 'sample'),
  drill('scratch null', drillWith({ scratch: null }), 'scratch'),
  drill('sample.count 0', drillWith({ sample: { count: 0 } }), 'sample.count'),
  drill('sample.count 1001', drillWith({ sample: { count: 1001 } }), 'sample.count'),
  drill('sample.count "5"', drillWith({ sample: { count: '5' } }), 'sample.count'),
  drill('sample.percent 0', drillWith({ sample: { percent: 0 } }), 'sample.percent'),
  drill('sample.percent 150', drillWith({ sample: { percent: 150 } }), 'sample.percent'),
  drill('keepScratch "no"', drillWith({ keepScratch: 'no' }), 'keepScratch'),
  drill('scratch.connection not a name', drillWith({ scratch: { connection: 'Backup' } }), 'scratch.connection'),
  drill(
    'scratch is the backup container',
    (t) => drillWith({ scratch: { connection: 'backup', container: t.bk } })(t),
    'scratch.container',
  ),
  drill(
    'scratch is the backup container through another connection name',
    (t) => drillWith({ scratch: { connection: 'backup-alias', container: t.bk } })(t),
    'scratch.container',
  ),
  drill(
    'scratch is the source container',
    (t) => drillWith({ scratch: { connection: 'source', container: t.c } })(t),
    'scratch.container',
  ),
  drill('liveSource is an adf connection', drillWith({ liveSource: 'adf' }), 'liveSource', unknown),

  // The CLI: usage mistakes exit 2 and start nothing. Every command that starts a workflow names a task
  // queue of the case's own ({idle}), so a start that slips through is found there.
  usage(
    'backup: an unknown flag',
    'backup --source source --container {fresh} --backup backup --task-queue {idle} --colour red',
    /Unknown option '--colour'/,
    'backup-source-{fresh}',
  ),
  usage(
    'backup: --container uppercase',
    'backup --source source --container {FRESH} --backup backup --task-queue {idle}',
    /--container may contain only lowercase letters/,
    'backup-source-{FRESH}',
  ),
  usage(
    'backup: an unknown --source',
    'backup --source nosuch --container {fresh} --backup backup --task-queue {idle}',
    /--source is not a connection of this config/,
    'backup-nosuch-{fresh}',
  ),
  usage(
    'backup: --backup a cosmos connection',
    'backup --source source --container {fresh} --backup cosmos --task-queue {idle}',
    /--backup .*cosmos/,
    'backup-source-{fresh}',
    {},
  ),
  usage(
    'backup: --mode sometimes',
    'backup --source source --container {fresh} --backup backup --mode sometimes --task-queue {idle}',
    /--mode must be one of incremental, full \(got "sometimes"\)/,
    'backup-source-{fresh}',
  ),
  usage(
    'backup: --max-requests-per-second not a number',
    'backup --source source --container {fresh} --backup backup --max-requests-per-second fast --task-queue {idle}',
    /--max-requests-per-second must be a number \(got "fast"\)/,
    'backup-source-{fresh}',
  ),
  usage(
    'restore: --to without a slash',
    'restore --backup backup --source source --container {c} --backup-container {bk} --to {fresh} --task-queue {idle}',
    /--to must be <connection>\/<container> \(got "hx-/,
  ),
  usage(
    'restore: no --to',
    'restore --backup backup --source source --container {c} --backup-container {bk} --task-queue {idle}',
    /missing --to/,
  ),
  usage(
    'restore: an unknown --backup',
    'restore --backup nosuch --source source --container {c} --backup-container {bk} --to backup/{fresh} --task-queue {idle}',
    /--backup is not a connection of this config/,
    'restore-backup-{fresh}',
  ),
  usage(
    'restore: an unknown --source',
    'restore --backup backup --source nosuch --container {c} --backup-container {bk} --to backup/{fresh} --task-queue {idle}',
    /--source: unknown connection "nosuch"/,
    'restore-backup-{fresh}',
  ),
  usage(
    'restore: an unknown --to connection',
    'restore --backup backup --source source --container {c} --backup-container {bk} --to nosuch/{fresh} --task-queue {idle}',
    /--to \(connection\) is not a connection of this config/,
    'restore-nosuch-{fresh}',
  ),
  usage(
    'restore: a bad --to container',
    'restore --backup backup --source source --container {c} --backup-container {bk} --to backup/{FRESH} --task-queue {idle}',
    /--to \(container\) may contain only lowercase letters/,
    'restore-backup-{FRESH}',
  ),
  usage(
    'restore: --concurrency not a number',
    'restore --backup backup --source source --container {c} --backup-container {bk} --to backup/{fresh} --concurrency fast --task-queue {idle}',
    /--concurrency must be a whole number \(got "fast"\)/,
    'restore-backup-{fresh}',
  ),
  usage(
    'retention: --keep-daily not a number',
    'retention --backup backup --source source --container {fresh} --backup-container {bk} --keep-daily seven --task-queue {idle}',
    /--keep-daily must be a whole number \(got "seven"\)/,
    'retention-source-{fresh}',
  ),
  usage(
    'retention: --container with --',
    'retention --backup backup --source source --container {fresh}--x --backup-container {bk} --keep-last 1 --task-queue {idle}',
    /--container must not contain two dashes in a row/,
    'retention-source-{fresh}--x',
  ),
  usage(
    'drill: --count not a number',
    'drill --backup backup --source source --container {fresh} --backup-container {bk} --count many --task-queue {idle}',
    /--count must be a whole number \(got "many"\)/,
    'drill-source-{fresh}',
  ),
  usage(
    'drill: --percent not a number',
    'drill --backup backup --source source --container {fresh} --backup-container {bk} --percent lots --task-queue {idle}',
    /--percent must be a number \(got "lots"\)/,
    'drill-source-{fresh}',
  ),
  usage(
    'drill: an unknown --backup',
    'drill --backup nosuch --source source --container {fresh} --backup-container {bk} --task-queue {idle}',
    /--backup is not a connection of this config/,
    'drill-source-{fresh}',
  ),
  usage(
    'runs: an unknown --backup',
    'runs --backup nosuch --source source --container {c}',
    /--backup.*nosuch/,
    undefined,
    {},
  ),
  usage(
    'runs: --container uppercase',
    'runs --backup backup --source source --container {C} --backup-container {bk}',
    /--container may contain only lowercase letters/,
    undefined,
    {},
  ),
  usage(
    'ls: an unknown --source',
    'ls --backup backup --source nosuch --container {c} --backup-container {bk}',
    /--source: unknown connection "nosuch"/,
  ),
  usage('an unknown command', 'bakup --source source --container {c}', /unknown command "bakup --source source/),
  // Past the CLI's checks, the workflow refuses the input; the CLI exits 1 with its message.
  usage(
    'restore: --as-of in the future',
    'restore --backup backup --source source --container {c} --backup-container {bk} --as-of 2999-01-01T00:00:00Z --to backup/{fresh} --task-queue {queue} --wait',
    /asOf is in the future/,
    undefined,
    { exit: 1, starts: true },
  ),
  usage(
    'restore: --as-of before the first run',
    'restore --backup backup --source source --container {c} --backup-container {bk} --as-of 2001-01-01T00:00:00Z --to backup/{fresh} --task-queue {queue} --wait',
    /asOf is before the first backup run/,
    undefined,
    {
      exit: 1,
      starts: true,
    },
  ),
  usage(
    'retention: --grace-period-seconds 1',
    'retention --backup backup --source source --container {c} --backup-container {bk} --keep-last 1 --grace-period-seconds 1 --task-queue {queue} --wait',
    /gracePeriodMs must be a whole number from 5000/,
    undefined,
    { exit: 1, starts: true },
  ),
  usage(
    'drill: --count 0',
    'drill --backup backup --source source --container {c} --backup-container {bk} --count 0 --task-queue {queue} --wait',
    /sample\.count must be a whole number from 1 to 1000/,
    undefined,
    { exit: 1, starts: true },
  ),
];

/** Every blob and snapshot of a container with its ETag (undefined when the container does not exist). */
async function listing(container: ContainerClient): Promise<string[] | undefined> {
  if (!(await container.exists())) return undefined;
  const out: string[] = [];
  for await (const b of container.listBlobsFlat({ includeSnapshots: true, includeMetadata: true }))
    out.push(`${b.name}@${b.snapshot ?? ''} ${b.properties.etag} ${JSON.stringify(b.metadata ?? {})}`);
  return out.sort();
}

/** `field` as a whole word of the message: at its start or after a space or separator, before a space or colon. */
function naming(field: string): RegExp {
  return new RegExp(`(?:^|[\\s;:(])${field.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}(?=[\\s:]|$)`);
}

describe('hostile input fails clearly, for good and before any side effect', { concurrency: 4 }, () => {
  const fixture = useBlobFixture({ extraConnections: { 'backup-alias': stackConfig().connections.backup! } });
  const c = uniqueName('hx-src');
  let baseline: { backup: string[] | undefined; source: string[] | undefined };
  const context = (): CaseContext => ({
    c,
    bk: fixture.backupName,
    fresh: uniqueName('hx'),
    idle: uniqueName('tq-idle'),
    queue: fixture.w.taskQueue,
  });
  const world = async () => ({ backup: await listing(fixture.bk()), source: await listing(fixture.src(c)) });
  const containersIn = async (connection: 'source' | 'backup', prefix: string) => {
    const names: string[] = [];
    for await (const x of fixture.w.connections.blob(connection).service.listContainers({ prefix })) names.push(x.name);
    return names;
  };
  const counts = { workflow: 0, cli: 0 };

  before(async () => {
    await fixture.seed(c, { count: 6 });
    // Someone else's snapshot on the source: it must survive every case too.
    await fixture.src(c).getBlobClient('item-000001.json').createSnapshot();
    const run = await fixture.backup(c);
    assert.equal(run.copied, 6);
    baseline = await world();
    assert.ok(baseline.backup && baseline.backup.length > 0, 'the backup container holds a committed run');
  });
  after(() =>
    console.log(
      `hostile input: ${counts.workflow + counts.cli} cases tried (${counts.workflow} workflow inputs, ${counts.cli} CLI runs) of ${CASES.length} in the table`,
    ),
  );

  for (const kase of CASES) {
    if ('workflow' in kase) {
      it(kase.name, { todo: kase.todo }, async () => {
        counts.workflow++;
        const t = context();
        const handle = await fixture.w.client.workflow.start(kase.workflow, {
          taskQueue: fixture.w.taskQueue,
          workflowId: uniqueName(`hx-${kase.workflow}`),
          args: kase.args(t),
        });
        const err = await handle.result().then(
          (r) => assert.fail(`the workflow should have failed; it returned ${JSON.stringify(r)}`),
          (e: unknown) => e,
        );
        assert.ok(err instanceof WorkflowFailedError, `expected WorkflowFailedError, got ${String(err)}`);
        const failure = rootApplicationFailure(err);
        assert.ok(failure instanceof ApplicationFailure, `no ApplicationFailure behind ${String(err.cause)}`);
        assert.equal(failure.type, kase.type ?? 'InvalidInput', failure.message);
        assert.equal(failure.nonRetryable, true, failure.message);
        assert.match(failure.message, naming(kase.field));

        // No side effect: the backup container and the source (snapshots included) as they were, and no
        // container this case named, nor a drill's default scratch container, came to exist.
        assert.deepEqual(await world(), baseline, 'the backup container and the source are unchanged');
        for (const connection of ['backup', 'source'] as const)
          assert.deepEqual(await containersIn(connection, t.fresh), [], `no container ${t.fresh} in ${connection}`);
        const drillScratch = `-${runKey(0, handle.firstExecutionRunId).slice(-8)}`;
        const scratches = (await containersIn('backup', 'drill-')).filter((n) => n.endsWith(drillScratch));
        assert.deepEqual(scratches, [], 'no drill scratch container of this run');
      });
    } else {
      it(kase.name, { todo: kase.todo }, async () => {
        counts.cli++;
        const t = context();
        const { code, out } = await cli(kase.cli(t));
        const started: string[] = [];
        for await (const run of fixture.w.client.workflow.list({ query: `TaskQueue = '${t.idle}'` }))
          started.push(run.workflowId);
        const id = kase.defaultId?.(t);
        const byId = id
          ? await fixture.w.client.workflow
              .getHandle(id)
              .describe()
              .then(
                () => true,
                (e: unknown) => {
                  if (e instanceof WorkflowNotFoundError) return false;
                  throw e;
                },
              )
          : false;
        // A start that slipped through must not wait on the idle queue for ever.
        for (const wid of new Set([...started, ...(byId && id ? [id] : [])]))
          await fixture.w.client.workflow
            .getHandle(wid)
            .terminate('hostile-input cleanup')
            .catch(() => {});
        assert.equal(code, kase.exit ?? 2, out);
        assert.match(out, kase.says);
        assert.deepEqual(started, [], 'no workflow started');
        assert.equal(byId, false, `no workflow ${id} exists`);
        assert.deepEqual(await world(), baseline, 'the backup container and the source are unchanged');
        for (const connection of ['backup', 'source'] as const)
          assert.deepEqual(await containersIn(connection, t.fresh), [], `no container ${t.fresh} in ${connection}`);
      });
    }
  }
});
