// Preflight of a backup: resolve the named connections and check the source container exists,
// all before the first write, so a typo fails with a clear message and leaves nothing behind.
import { ApplicationFailure } from '@temporalio/common';
import type { ConnectionRegistry } from '../storage/connections';
import { sameAccount } from '../domain/account-url';
import { catalogScope } from '../domain/catalog-layout';
import { CatalogStore } from './catalog-store';
import { keepAlive } from './keep-alive';
import { FailureType, resolveConnection, statusCodeOf } from './failures';

export interface PrepareBackupInput {
  source: string;
  container: string;
  prefix?: string;
  backup: string;
  backupContainer: string;
  /** The run's request cap: the preflight's requests count against it like every other. */
  maxRequestsPerSecond?: number;
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
    prepareBackup(input: PrepareBackupInput): Promise<PrepareBackupResult> {
      return keepAlive(async () => {
        const cap = { maxRequestsPerSecond: input.maxRequestsPerSecond };
        const source = resolveConnection(() => connections.blob(input.source, cap), 'source');
        const backup = resolveConnection(() => connections.blob(input.backup, cap), 'backup');
        // By account endpoint, not URL: a SAS connection's URL carries its token, and two names may
        // hold the same account.
        if (sameAccount(source.service.url, backup.service.url) && input.container === input.backupContainer) {
          throw ApplicationFailure.nonRetryable(
            `backupContainer: the backup target ${backup.accountName}/${input.backupContainer} is the source container ` +
              'itself; back up into another container, ideally in another storage account',
            FailureType.InvalidInput,
          );
        }
        try {
          await source.service.getContainerClient(input.container).getProperties();
        } catch (err) {
          if (statusCodeOf(err) === 404) {
            throw ApplicationFailure.nonRetryable(
              `container: ${JSON.stringify(input.container)} does not exist in account ${source.accountName} ` +
                `(connection ${JSON.stringify(input.source)})`,
              FailureType.SourceNotFound,
            );
          }
          throw err;
        }
        // The only write of the preflight, after every check has passed.
        const target = backup.service.getContainerClient(input.backupContainer);
        await target.createIfNotExists();
        const scope = catalogScope(source.accountName, input.container, input.prefix);
        const previousRunKey = await new CatalogStore(target, scope).latestRun();
        return { sourceAccount: source.accountName, backupAccount: backup.accountName, scope, previousRunKey };
      });
    },
  };
}
