// The ADF stand-in driven by the real @azure/arm-datafactory client (through the project's own client
// factory): pipeline create, run lifecycle, cancel, ARM errors, TLS trust scoped to the configured CA.
import { RestError } from '@azure/core-rest-pipeline';
import assert from 'node:assert/strict';
import { request } from 'node:https';
import { after, before, describe, it } from 'node:test';
import { readFileSync } from 'node:fs';
import { startAdfStandin, type AdfStandin } from '../../dev/adf-standin/server';
import { parseConfig } from '../../src/config/load';
import type { AdfConnectionConfig } from '../../src/config/schema';
import { ConnectionRegistry } from '../../src/storage/connections';
import { createDataFactoryClient } from '../../src/storage/data-factory';
import { stackConfig, stackInfo } from '../support/stack';

const delay = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('ADF stand-in with the real Data Factory client', () => {
  let standin: AdfStandin;
  let conn: AdfConnectionConfig;

  before(async () => {
    const shared = stackConfig().connections.adf as AdfConnectionConfig;
    const caFile = shared.caFile!;
    const keyFile = caFile.replace(/local-ca\.pem$/, 'local-ca.key');
    standin = await startAdfStandin({
      port: 0,
      cert: readFileSync(caFile, 'utf8'),
      key: readFileSync(keyFile, 'utf8'),
      queuedForMs: 150,
      inProgressForMs: 300,
    });
    conn = { ...shared, endpoint: standin.url };
  });
  after(() => standin.close());

  it('creates a pipeline and runs it Queued -> InProgress -> Succeeded', async () => {
    const { client, resourceGroup, factoryName } = createDataFactoryClient(conn);
    const pipeline = await client.pipelines.createOrUpdate(resourceGroup, factoryName, 'copy-container', {
      parameters: { container: { type: 'String' } },
      activities: [],
    });
    assert.equal(pipeline.name, 'copy-container');
    const { runId } = await client.pipelines.createRun(resourceGroup, factoryName, 'copy-container', {
      parameters: { container: 'photos' },
    });
    const seen: string[] = [];
    for (let i = 0; i < 100; i++) {
      const run = await client.pipelineRuns.get(resourceGroup, factoryName, runId);
      if (seen.at(-1) !== run.status) seen.push(run.status!);
      if (run.status === 'Succeeded') {
        assert.equal(run.pipelineName, 'copy-container');
        assert.deepEqual(run.parameters, { container: 'photos' });
        assert.ok(run.runEnd instanceof Date && (run.durationInMs ?? 0) >= 250);
        break;
      }
      await delay(40);
    }
    assert.deepEqual(seen, ['Queued', 'InProgress', 'Succeeded']);
  });

  it('cancels a run', async () => {
    const { client, resourceGroup, factoryName } = createDataFactoryClient(conn);
    await client.pipelines.createOrUpdate(resourceGroup, factoryName, 'slow', { activities: [] });
    const { runId } = await client.pipelines.createRun(resourceGroup, factoryName, 'slow');
    await client.pipelineRuns.cancel(resourceGroup, factoryName, runId, { isRecursive: true });
    let status: string | undefined;
    for (let i = 0; i < 50 && status !== 'Cancelled'; i++) {
      status = (await client.pipelineRuns.get(resourceGroup, factoryName, runId)).status;
      await delay(40);
    }
    assert.equal(status, 'Cancelled');
  });

  it('answers ARM errors the client turns into RestErrors', async () => {
    const { client, resourceGroup, factoryName } = createDataFactoryClient(conn);
    const err = await client.pipelines
      .createRun(resourceGroup, factoryName, 'no-such-pipeline')
      .catch((e: unknown) => e);
    assert.ok(err instanceof RestError, `expected RestError, got ${String(err)}`);
    assert.equal(err.statusCode, 404);
    assert.equal(err.code, 'PipelineNotFound');
  });

  it('is not trusted without the configured CA file', async () => {
    const { caFile: _omitted, ...withoutCa } = conn;
    const { client, resourceGroup, factoryName } = createDataFactoryClient(parseAdf(withoutCa));
    await assert.rejects(
      client.pipelines.get(resourceGroup, factoryName, 'copy-container'),
      /self[- ]signed certificate|unable to verify/i,
    );
  });

  it('rejects requests without a bearer token with 401', async () => {
    const status = await new Promise<number>((resolve, reject) => {
      const url = `${standin.url}/subscriptions/s/resourceGroups/r/providers/Microsoft.DataFactory/factories/f/pipelines/p?api-version=2018-06-01`;
      request(url, { ca: readFileSync(conn.caFile!) }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      })
        .on('error', reject)
        .end();
    });
    assert.equal(status, 401);
  });

  it('is what the shared stack runs on its ADF port, reached through the connection registry', async () => {
    const connections = new ConnectionRegistry(stackConfig().connections);
    const { client, resourceGroup, factoryName } = connections.dataFactory('adf');
    assert.equal(connections.dataFactory('adf').client, client, 'one client per connection');
    assert.throws(() => connections.dataFactory('source'), /source.*blob/);
    await client.pipelines.createOrUpdate(resourceGroup, factoryName, 'probe', { activities: [] });
    const { runId } = await client.pipelines.createRun(resourceGroup, factoryName, 'probe');
    assert.match(runId, /^[0-9a-f-]{36}$/);
    // The stack's config points the client at the stack's own port, and the run is known there.
    const adf = stackConfig().connections.adf as AdfConnectionConfig;
    assert.equal(new URL(adf.endpoint!).port, String(stackInfo().ports.adf));
    const run = await client.pipelineRuns.get(resourceGroup, factoryName, runId);
    assert.deepEqual([run.runId, run.pipelineName], [runId, 'probe']);
  });
});

function parseAdf(raw: Omit<AdfConnectionConfig, 'caFile'>): AdfConnectionConfig {
  return parseConfig({ connections: { adf: raw } }).connections.adf as AdfConnectionConfig;
}
