// All activities of the worker, built from the clients they need (the samples-typescript factory).
import type { ConnectionRegistry } from '../storage/connections';
import { createPreflightActivities } from './preflight';
import { createTransferActivities } from './transfer';

export interface ActivityDependencies {
  connections: ConnectionRegistry;
}

export function createActivities(deps: ActivityDependencies) {
  return {
    ...createPreflightActivities(deps.connections),
    ...createTransferActivities(deps.connections),
  };
}

export type Activities = ReturnType<typeof createActivities>;
export type { CopyPageInput, CopyPageResult } from './transfer';
export type { PrepareBackupInput, PrepareBackupResult } from './preflight';
