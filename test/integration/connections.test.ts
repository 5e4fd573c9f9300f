// Connections name accounts, they are not accounts: on the real Azurite, two or three names for one
// storage account (connection string, account key, SAS) share one request-rate bucket, and the preflight
// recognises the source container as the backup target whatever names and credentials reach it.
import { MockActivityEnvironment } from '@temporalio/testing';
import { ApplicationFailure } from '@temporalio/common';
import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  generateAccountSASQueryParameters,
  SASProtocol,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { createPreflightActivities, type PrepareBackupResult } from '../../src/activities/preflight';
import type { Config } from '../../src/config/schema';
import { parseConnectionString } from '../../src/config/connection-string';
import { ConnectionRegistry } from '../../src/storage/connections';
import { requestTimes } from '../support/faults';
import { stackConfig, uniqueName } from '../support/stack';

/** The stack's connections plus `alias` (account key) and `viasas` (SAS) for the `source` account. */
function aliasedConnections(): Config['connections'] {
  const connections = stackConfig().connections;
  const source = connections.source!;
  const parsed = parseConnectionString((source as { connectionString: string }).connectionString);
  const sas = generateAccountSASQueryParameters(
    {
      expiresOn: new Date(Date.now() + 3600_000),
      permissions: AccountSASPermissions.parse('rwdlac'),
      resourceTypes: AccountSASResourceTypes.parse('sco').toString(),
      services: AccountSASServices.parse('b').toString(),
      protocol: SASProtocol.HttpsAndHttp,
    },
    new StorageSharedKeyCredential(parsed.accountName, parsed.accountKey!),
  ).toString();
  return {
    ...connections,
    alias: {
      kind: 'blob',
      accountName: parsed.accountName,
      accountKey: parsed.accountKey,
      accountUrl: parsed.blobEndpoint,
    },
    viasas: { kind: 'blob', accountUrl: `${parsed.blobEndpoint}/`, sasToken: sas },
  };
}

describe('connections to one storage account', () => {
  it('share one request-rate bucket per account and cap, whatever the connection name', async () => {
    const times: number[] = [];
    const registry = new ConnectionRegistry(aliasedConnections(), { decorators: () => [requestTimes(times)] });
    const cap = { maxRequestsPerSecond: 10 };
    const names = ['source', 'alias', 'viasas'];
    const container = uniqueName('rate');
    await registry.blob('source').service.getContainerClient(container).create();
    // 10 requests through each name: 30 to one account, allowed 10 at once then 10 a second.
    const started = performance.now();
    times.length = 0;
    await Promise.all(
      names.flatMap((name) =>
        Array.from({ length: 10 }, () =>
          registry.blob(name, cap).service.getContainerClient(container).getProperties(),
        ),
      ),
    );
    const span = (Math.max(...times) - started) / 1000;
    assert.equal(times.length, 30);
    assert.ok(span >= 1.8, `30 requests at 10/s after a burst of 10 need ~2 s; took ${span.toFixed(2)} s`);
    // Another account has its own bucket: not slowed by the first one's.
    times.length = 0;
    const t0 = performance.now();
    await Promise.all(Array.from({ length: 10 }, () => registry.blob('backup', cap).service.getProperties()));
    assert.ok(performance.now() - t0 < 800, 'a burst on another account passes at once');
  });

  it('prepareBackup refuses the source container as the backup target through a SAS or another name', async () => {
    const registry = new ConnectionRegistry(aliasedConnections());
    const preflight = createPreflightActivities(registry);
    const container = uniqueName('same');
    await registry.blob('source').service.getContainerClient(container).create();
    const env = new MockActivityEnvironment();
    for (const [source, backup] of [
      ['viasas', 'source'],
      ['alias', 'viasas'],
    ] as const) {
      const err: unknown = await env
        .run(preflight.prepareBackup, { source, container, backup, backupContainer: container })
        .catch((e: unknown) => e);
      assert.ok(err instanceof ApplicationFailure, `${source} -> ${backup}: ${String(err)}`);
      assert.equal(err.nonRetryable, true);
      assert.equal(err.type, 'InvalidInput');
      assert.match(err.message, /^backupContainer: the backup target source\/.* is the source container itself/);
    }
    // Nothing was written: no catalog, no copies in the container.
    for await (const b of registry.blob('source').service.getContainerClient(container).listBlobsFlat())
      assert.fail(`unexpected blob ${b.name}`);
    // Through the SAS to another container of the same account, the preflight passes.
    const ok = (await env.run(preflight.prepareBackup, {
      source: 'viasas',
      container,
      backup: 'source',
      backupContainer: uniqueName('other'),
    })) as PrepareBackupResult;
    assert.equal(ok.sourceAccount, 'source');
  });
});
