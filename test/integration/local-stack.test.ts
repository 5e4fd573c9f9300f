// The shared local stack as a user meets it: the UI answers, our search attributes are registered,
// the Cosmos server works through the real @azure/cosmos client trusting only the stack's CA.
import { Connection } from '@temporalio/client';
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConnectionRegistry } from '../../src/storage/connections';
import { AZBACKUP_SEARCH_ATTRIBUTES } from '../../src/workflows/search-attributes';
import { stackConfig, stackInfo, uniqueName } from '../support/stack';

describe('local stack', () => {
  it('serves the Temporal web UI', async () => {
    const response = await fetch(`http://127.0.0.1:${stackInfo().ports.temporalUi}/`);
    assert.equal(response.status, 200);
    assert.match(await response.text(), /<html/i);
  });

  it('registers the azbackup search attributes as keywords', async () => {
    const config = stackConfig();
    const connection = await Connection.connect({ address: config.temporal.address });
    try {
      const { customAttributes } = await connection.operatorService.listSearchAttributes({
        namespace: config.temporal.namespace,
      });
      for (const key of AZBACKUP_SEARCH_ATTRIBUTES) {
        // Keyword is 2 in temporal.api.enums.v1.IndexedValueType.
        assert.equal(customAttributes?.[key.name], 2, `${key.name} is registered as a Keyword`);
      }
    } finally {
      await connection.close();
    }
  });

  it('runs Cosmos DB queries through the real client with the stack CA', async () => {
    const connections = new ConnectionRegistry(stackConfig().connections);
    try {
      const client = connections.cosmos('cosmos');
      const { database } = await client.databases.createIfNotExists({ id: uniqueName('db') });
      const { container } = await database.containers.createIfNotExists({ id: 'orders', partitionKey: '/pk' });
      await container.items.create({ id: 'a', pk: 'p1', total: 3 });
      await container.items.create({ id: 'b', pk: 'p1', total: 5 });
      const { resources } = await container.items
        .query<{ id: string; _ts: number }>('SELECT c.id, c._ts FROM c WHERE c.total > 4')
        .fetchAll();
      assert.deepEqual(
        resources.map((r) => r.id),
        ['b'],
      );
      assert.equal(typeof resources[0]?._ts, 'number');
    } finally {
      connections.close();
    }
  });
});
