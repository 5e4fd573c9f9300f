// All activities of the worker, built from the clients they need (the samples-typescript factory).
// Each file here is a thin Temporal entry point: the work itself lives in src/blob (the copy engine),
// src/catalog (the catalog in the backup account) and src/domain (the rules).
import type { KeyResolver } from '../pipeline/key-ring';
import type { ConnectionRegistry } from '../storage/connections';
import { createAdfActivities } from './adf';
import { createAdfPageActivities } from './adf-page';
import { createAdfWindowActivities } from './adf-window';
import { createBackupPageActivities, type BackupPageOptions } from './backup-page';
import { createCommitActivities } from './commit';
import { createDrillActivities } from './drill';
import { createDrillScratchActivities } from './drill-scratch';
import { createExportRestoreActivities } from './export-restore';
import { createExportActivities } from './exports';
import { createGarbageActivities } from './garbage';
import { createPipelineActivities } from './pipeline';
import { createInventoryActivities } from './inventory';
import { createPreflightActivities } from './preflight';
import { createRestoreActivities } from './restore';
import { createRetentionActivities } from './retention';
import { createScrubActivities } from './scrub';
import { createSourceSnapshotActivities } from './source-snapshots';

export interface ActivityDependencies {
  connections: ConnectionRegistry;
  /** The worker's encryption keys, by name (exports name one; restores find it in the catalog). */
  keys: KeyResolver;
  /** Internal tuning (tests shorten leases); never part of a workflow's input. */
  backupPage?: BackupPageOptions;
}

export function createActivities(deps: ActivityDependencies) {
  return {
    ...createPreflightActivities(deps.connections),
    ...createInventoryActivities(deps.connections),
    ...createBackupPageActivities(deps.connections, deps.backupPage),
    ...createAdfPageActivities(deps.connections, deps.backupPage),
    ...createCommitActivities(deps.connections),
    ...createRestoreActivities(deps.connections),
    ...createRetentionActivities(deps.connections),
    ...createGarbageActivities(deps.connections),
    ...createSourceSnapshotActivities(deps.connections),
    ...createDrillActivities(deps.connections),
    ...createDrillScratchActivities(deps.connections),
    ...createScrubActivities(deps.connections),
    ...createExportActivities(deps),
    ...createExportRestoreActivities(deps),
    ...createAdfActivities(deps.connections),
    ...createAdfWindowActivities(deps.connections, deps.keys),
    ...createPipelineActivities(deps),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { BackupPageInput } from './backup-page';
export type { CommitRunInput, CommitRunResult } from './commit';
export type { InventoryPage, ListInventoryPageInput } from './inventory';
export type { PrepareBackupInput, PrepareBackupResult } from './preflight';
export type { PlanRestoreInput, RestorePageInput, RestorePlan } from './restore';
export type { ScrubPageInput, ScrubPlan } from './scrub';
export type { ExportWindowInput, PrepareExportResult, ReplicateWindowInput } from './exports';
export type { ExportRestorePlan, RestoreWindowResult } from './export-restore';
export type { AdfRunResult, DeployAdfPipelinesInput, RunAdfPipelineInput } from './adf';
export type { AdfPagePlan } from './adf-page';
