// All activities of the worker, built from the clients they need (the samples-typescript factory).
import type { ConnectionRegistry } from '../storage/connections';
import { createBackupPageActivities } from './backup-page';
import { createCommitActivities } from './commit';
import { createInventoryActivities } from './inventory';
import { createPreflightActivities } from './preflight';

export interface ActivityDependencies {
  connections: ConnectionRegistry;
}

export function createActivities(deps: ActivityDependencies) {
  return {
    ...createPreflightActivities(deps.connections),
    ...createInventoryActivities(deps.connections),
    ...createBackupPageActivities(deps.connections),
    ...createCommitActivities(deps.connections),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { BackupPageInput } from './backup-page';
export type { CommitRunInput, CommitRunResult } from './commit';
export type { InventoryPage, ListInventoryPageInput } from './inventory';
export type { PrepareBackupInput, PrepareBackupResult } from './preflight';
