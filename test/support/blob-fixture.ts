// The setup most blob integration tests share: a worker on its own task queue (started before, stopped
// after the file's tests), a backup container of the file's own, and the calls tests make over and over
// (seed a source container, back it up, restore, retain, drill), with the file's defaults on top.
import type { ContainerClient } from '@azure/storage-blob';
import { after, before } from 'node:test';
import { seedBlobs, type SeedOptions } from '../../dev/seed';
import {
  applyRetention,
  type ApplyRetentionInput,
  type ApplyRetentionResult,
} from '../../src/workflows/apply-retention';
import {
  backupContainer,
  type BackupContainerInput,
  type BackupContainerResult,
} from '../../src/workflows/backup-container';
import {
  restoreContainer,
  type RestoreContainerInput,
  type RestoreContainerResult,
} from '../../src/workflows/restore-container';
import { restoreDrill, type RestoreDrillInput, type RestoreDrillResult } from '../../src/workflows/restore-drill';
import { startTestWorker, uniqueName, type StartTestWorkerOptions, type TestWorker } from './stack';

export interface BlobFixtureOptions extends StartTestWorkerOptions {
  /** Names this file's backup container (default: a unique `bk-…`). */
  backupContainer?: string;
  /** Fields every backup of this file gets unless a call overrides them (e.g. a page size). */
  backupDefaults?: Partial<BackupContainerInput>;
}

export interface BlobFixture {
  /** The running worker (set once the file's `before` hook has run). */
  readonly w: TestWorker;
  readonly backupName: string;
  /** A container of the source account. */
  src(container: string): ContainerClient;
  /** The file's backup container. */
  bk(): ContainerClient;
  /** Creates a source container and seeds it with deterministic blobs. */
  seed(container: string, options: SeedOptions): ReturnType<typeof seedBlobs>;
  backup(container: string, input?: Partial<BackupContainerInput>): Promise<BackupContainerResult>;
  restore(
    container: string,
    input: Partial<RestoreContainerInput> & Pick<RestoreContainerInput, 'target'>,
  ): Promise<RestoreContainerResult>;
  retain(container: string, input?: Partial<ApplyRetentionInput>): Promise<ApplyRetentionResult>;
  drill(container: string, input?: Partial<RestoreDrillInput>): Promise<RestoreDrillResult>;
}

/** Registers the file's `before`/`after` hooks and returns its fixture. */
export function useBlobFixture(options: BlobFixtureOptions = {}): BlobFixture {
  const backupName = options.backupContainer ?? uniqueName('bk');
  let worker: TestWorker | undefined;
  before(async () => {
    worker = await startTestWorker(options);
  });
  after(() => worker?.stop());
  const w = (): TestWorker => {
    if (!worker) throw new Error('the fixture is used before its before() hook ran');
    return worker;
  };
  const execute = <I, R>(workflow: (input: I) => Promise<R>, id: string, input: I) =>
    w().client.workflow.execute(workflow, { taskQueue: w().taskQueue, workflowId: uniqueName(id), args: [input] });
  const fixture: BlobFixture = {
    get w() {
      return w();
    },
    backupName,
    src: (container) => w().connections.blob('source').service.getContainerClient(container),
    bk: () => w().connections.blob('backup').service.getContainerClient(backupName),
    seed: (container, seedOptions) => seedBlobs(fixture.src(container), seedOptions),
    backup: (container, input = {}) =>
      execute(backupContainer, 'wf-backup', {
        source: 'source',
        container,
        backup: 'backup',
        backupContainer: backupName,
        ...options.backupDefaults,
        ...input,
      }),
    restore: (container, input) =>
      execute(restoreContainer, 'wf-restore', {
        backup: 'backup',
        backupContainer: backupName,
        source: { account: 'source', container },
        ...input,
      }),
    retain: (container, input = {}) =>
      execute(applyRetention, 'wf-retention', {
        backup: 'backup',
        backupContainer: backupName,
        source: { account: 'source', container },
        policy: { keepLast: 1 },
        ...input,
      }),
    drill: (container, input = {}) =>
      execute(restoreDrill, 'wf-drill', {
        backup: 'backup',
        backupContainer: backupName,
        source: { account: 'source', container },
        ...input,
      }),
  };
  return fixture;
}
