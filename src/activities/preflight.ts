// Preflight of a backup: resolve the named connections and check the source container exists,
// all before the first write, so a typo fails with a clear message and leaves nothing behind.
import { ADF_PIPELINES } from '../adf/pipelines';
import { CatalogStore } from '../catalog/store';
import { sameAccount } from '../domain/account-url';
import { catalogScope } from '../domain/catalog-layout';
import { InvalidInputError, NotFoundError } from '../domain/failures';
import type { ConnectionRegistry } from '../storage/connections';
import { unlessNotFound } from '../storage/errors';
import { requireAdfPipeline } from './adf';
import { defineActivity } from './toolkit';

export interface PrepareBackupInput {
  source: string;
  container: string;
  prefix?: string;
  backup: string;
  backupContainer: string;
  /** The run's request cap: the preflight's requests count against it like every other. */
  maxRequestsPerSecond?: number;
  /** The factory that moves large pages: it must be configured, with azbackup's copy pipeline deployed. */
  adf?: string;
}

export interface PrepareBackupResult {
  sourceAccount: string;
  backupAccount: string;
  /** Where this source's catalog lives in the backup container. */
  scope: string;
  /** The latest committed run of the scope: what this run is classified against. */
  previousRunKey?: string;
}

export function createPreflightActivities(connections: ConnectionRegistry) {
  return {
    prepareBackup: defineActivity(
      connections,
      async (input: PrepareBackupInput, { blob, signal }): Promise<PrepareBackupResult> => {
        const cap = { maxRequestsPerSecond: input.maxRequestsPerSecond };
        const source = blob(input.source, 'source', cap);
        const backup = blob(input.backup, 'backup', cap);
        // By account endpoint, not URL: a SAS connection's URL carries its token, and two names may
        // hold the same account.
        if (sameAccount(source.service.url, backup.service.url) && input.container === input.backupContainer) {
          throw new InvalidInputError(
            'backupContainer',
            `backupContainer: the backup target ${backup.accountName}/${input.backupContainer} is the source container ` +
              'itself; back up into another container, ideally in another storage account',
          );
        }
        if (!(await unlessNotFound(source.service.getContainerClient(input.container).getProperties()))) {
          throw new NotFoundError(
            `container: ${JSON.stringify(input.container)} does not exist in account ${source.accountName} ` +
              `(connection ${JSON.stringify(input.source)})`,
          );
        }
        if (input.adf)
          await requireAdfPipeline(connections, input.adf, ADF_PIPELINES.copyBlobs, {
            field: 'adf',
            abortSignal: signal,
          });
        // The only write of the preflight, after every check has passed.
        const target = backup.service.getContainerClient(input.backupContainer);
        await target.createIfNotExists();
        const scope = catalogScope(source.accountName, input.container, input.prefix);
        const previousRunKey = await new CatalogStore(target, scope).latestRun();
        return { sourceAccount: source.accountName, backupAccount: backup.accountName, scope, previousRunKey };
      },
    ),
  };
}
