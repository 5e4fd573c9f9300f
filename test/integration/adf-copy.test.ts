// The blob pipelines of adf/, deployed with deployPipelines and run with runAdfPipeline on the ADF stand-in,
// which performs what they describe on Azurite: azbackup-copy-blobs reads a list from the backup account and
// copies each listed blob to its target name (bytes, MD5, content type and metadata equal), logs a source
// that is gone as skipped in ADF's session-log format under logPath, and reports the copy totals (summed
// over 100+ activity runs, more than one page of queryActivityruns); a snapshot entry fails the run with
// the pipeline's own message, after copying the rest; azbackup-copy-prefix copies what is under a prefix
// into a folder, keeping the path after the prefix's last '/'. Last, the stand-in as dev/stack.ts starts
// it (a child process given the stack's config file with --config-file) performs a copy too.
import type { ContainerClient } from '@azure/storage-blob';
import { ApplicationFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startLocalStandin, type LocalStandin } from '../../dev/adf-standin/test-client';
import { ManagedProcess } from '../../dev/managed-process';
import { findFreePorts } from '../../dev/ports';
import { waitForPort } from '../../dev/wait';
import { createAdfActivities } from '../../src/activities/adf';
import { deployPipelines } from '../../src/adf/deploy';
import { deploySettings } from '../../src/adf/deploy-settings';
import { ADF_PIPELINES, type CopyListEntry } from '../../src/adf/pipelines';
import type { RunAdfPipelineInput } from '../../src/adf/run-input';
import type { AdfRunResult } from '../../src/adf/run-pipeline';
import type { AdfConnectionConfig } from '../../src/config/schema';
import { backupObjectName } from '../../src/domain/backup-naming';
import { ConnectionRegistry } from '../../src/storage/connections';
import { stackConfig, stackInfo, uniqueName } from '../support/stack';

const logger = new DefaultLogger('ERROR');
const BLOBS = 110;

describe('ADF blob copies performed by the stand-in', () => {
  let standin: LocalStandin;
  let connections: ConnectionRegistry;
  let activities: ReturnType<typeof createAdfActivities>;
  let source: ContainerClient;
  let backup: ContainerClient;
  const seeded = new Map<string, Buffer>();

  before(async () => {
    const shared = stackConfig().connections.adf as AdfConnectionConfig;
    standin = await startLocalStandin({ config: stackInfo().config, caFile: shared.caFile! });
    connections = new ConnectionRegistry({
      ...stackConfig().connections,
      adf: { ...shared, endpoint: standin.url, factoryName: uniqueName('adf-copy') },
    });
    activities = createAdfActivities(connections);
    await deployPipelines(
      connections.dataFactory('adf'),
      deploySettings(connections, { source: 'source', backup: 'backup' }, (_f, resolve) => resolve()),
    );
    source = connections.blob('source').service.getContainerClient(uniqueName('adf-src'));
    backup = connections.blob('backup').service.getContainerClient(uniqueName('adf-bk'));
    await Promise.all([source.create(), backup.create()]);
    for (let i = 0; i < BLOBS; i++) {
      const name = `photos/${String(i).padStart(3, '0')}.bin`;
      const bytes = randomBytes(1 + ((i * 97) % 4000));
      seeded.set(name, bytes);
      await source.getBlockBlobClient(name).uploadData(bytes, {
        blobHTTPHeaders: { blobContentType: i % 2 ? 'image/jpeg' : 'application/octet-stream' },
        metadata: { index: String(i) },
      });
    }
  });
  after(async () => {
    await Promise.all([source.deleteIfExists(), backup.deleteIfExists()]);
    connections.close();
    await standin.close();
  });

  const run = (pipeline: string, parameters: Record<string, unknown>) =>
    new MockActivityEnvironment({}, { logger }).run(activities.runAdfPipeline, {
      adf: 'adf',
      pipeline,
      parameters,
      pollEveryMs: 200,
    } satisfies RunAdfPipelineInput) as Promise<AdfRunResult>;

  async function writeList(name: string, entries: CopyListEntry[]): Promise<string> {
    const text = JSON.stringify(entries);
    await backup.getBlockBlobClient(name).upload(text, Buffer.byteLength(text));
    return `${backup.containerName}/${name}`;
  }

  async function copyName(blobName: string): Promise<string> {
    const { etag } = await source.getBlobClient(blobName).getProperties();
    return backupObjectName({ account: 'source', container: source.containerName, blobName, version: etag! });
  }

  it('copies every listed blob to its target, logs the missing one as skipped, and sums the copies', async () => {
    const entries: CopyListEntry[] = [];
    for (const name of seeded.keys())
      entries.push({
        source: `${source.containerName}/${name}`,
        target: `${backup.containerName}/${await copyName(name)}`,
      });
    entries.splice(7, 0, {
      source: `${source.containerName}/photos/gone.bin`,
      target: `${backup.containerName}/data/gone`,
    });
    const listPath = await writeList('lists/run-1.json', entries);
    const logPath = `${backup.containerName}/adf-logs/run-1`;

    const result = await run(ADF_PIPELINES.copyBlobs, { listPath, logPath });

    assert.equal(result.status, 'Succeeded');
    const bytes = [...seeded.values()].reduce((n, b) => n + b.length, 0);
    assert.deepEqual(
      { ...result.output, logFilePaths: result.output?.logFilePaths.length },
      {
        copyActivities: BLOBS + 1,
        filesRead: BLOBS,
        filesWritten: BLOBS,
        filesSkipped: 1,
        dataRead: bytes,
        dataWritten: bytes,
        rowsRead: 0,
        rowsCopied: 0,
        logFilePaths: 1,
      },
    );
    for (const entry of entries.filter((e) => !e.source.endsWith('gone.bin'))) {
      const name = entry.source.slice(source.containerName.length + 1);
      const target = backup.getBlobClient(entry.target.slice(backup.containerName.length + 1));
      assert.deepEqual(await target.downloadToBuffer(), seeded.get(name), `bytes of ${entry.target}`);
      const [from, to] = await Promise.all([source.getBlobClient(name).getProperties(), target.getProperties()]);
      assert.deepEqual(to.contentMD5, from.contentMD5);
      assert.equal(to.contentType, from.contentType);
      assert.deepEqual(to.metadata, from.metadata);
    }
    assert.equal(await backup.getBlobClient('data/gone').exists(), false);

    const [logFolder] = result.output!.logFilePaths;
    assert.match(
      logFolder!,
      new RegExp(`^${backup.containerName}/adf-logs/run-1/copyactivity-logs/CopyBlob/[0-9a-f-]{36}/$`),
    );
    const logs: string[] = [];
    for await (const b of backup.listBlobsFlat({ prefix: 'adf-logs/run-1/' })) logs.push(b.name);
    assert.equal(logs.length, 1, `one session log: ${logs.join(', ')}`);
    assert.ok(logs[0]!.startsWith(logFolder!.slice(backup.containerName.length + 1)));
    const lines = (await backup.getBlobClient(logs[0]!).downloadToBuffer()).toString().trim().split('\n');
    assert.equal(lines[0], 'Timestamp,Level,OperationName,OperationItem,Message');
    assert.equal(lines.length, 2);
    assert.match(
      lines[1]!,
      /^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d\.\d{7},Warning,FileSkip,"photos\/gone\.bin","File is skipped/,
    );
    assert.match(lines[1]!, /ErrorCode=UserErrorSourceBlobNotExists.*The required Blob is missing/);
  });

  it("fails a run listing a snapshot with the pipeline's message, after copying the rest", async () => {
    const snapshot = await source.getBlobClient('photos/001.bin').createSnapshot();
    const good = await copyName('photos/002.bin');
    const listPath = await writeList('lists/run-2.json', [
      { source: `${source.containerName}/photos/002.bin`, target: `${backup.containerName}/run-2/${good}` },
      {
        source: `${source.containerName}/photos/001.bin?snapshot=${snapshot.snapshot}`,
        target: `${backup.containerName}/run-2/snap`,
      },
    ]);
    const err = await run(ADF_PIPELINES.copyBlobs, {
      listPath,
      logPath: `${backup.containerName}/adf-logs/run-2`,
    }).catch((e: unknown) => e);
    assert.ok(err instanceof ApplicationFailure, String(err));
    assert.equal(err.type, 'AdfRunFailed');
    assert.equal(err.nonRetryable, true);
    assert.match(
      err.message,
      /Operation on target CopyEach failed: Activity failed because an inner activity failed; Inner activity name: IfSnapshot, .*Inner activity name: RefuseSnapshot, Error: Cannot copy .*photos\/001\.bin\?snapshot=.*cannot read blob snapshots/,
    );
    assert.deepEqual(await backup.getBlobClient(`run-2/${good}`).downloadToBuffer(), seeded.get('photos/002.bin'));
    assert.equal(await backup.getBlobClient('run-2/snap').exists(), false);
  });

  it('copies everything under a prefix into a folder (azbackup-copy-prefix)', async () => {
    const names = ['2026/11/a.txt', '2026/11/sub/b.txt', '2026/12/c.txt', '2026/110.txt'];
    for (const name of names) await source.getBlockBlobClient(name).uploadData(Buffer.from(name));
    const result = await run(ADF_PIPELINES.copyPrefix, {
      sourceContainer: source.containerName,
      prefix: '2026/11/',
      backupContainer: backup.containerName,
      targetFolder: 'prefix-copy',
      logPath: `${backup.containerName}/adf-logs/prefix`,
    });
    assert.equal(result.output?.filesRead, 2);
    const copied: string[] = [];
    for await (const b of backup.listBlobsFlat({ prefix: 'prefix-copy/' })) copied.push(b.name);
    assert.deepEqual(copied.sort(), ['prefix-copy/a.txt', 'prefix-copy/sub/b.txt']);
    assert.equal(
      (await backup.getBlobClient('prefix-copy/sub/b.txt').downloadToBuffer()).toString(),
      '2026/11/sub/b.txt',
    );
  });

  it('copies in the stand-in process dev/stack.ts starts with --config-file', async () => {
    const shared = stackConfig().connections.adf as AdfConnectionConfig;
    const [port] = (await findFreePorts(1)) as [number];
    const proc = new ManagedProcess({
      name: 'ADF stand-in (test)',
      command: process.execPath,
      args: [
        '--import',
        'tsx',
        join(__dirname, '../../dev/adf-standin/main.ts'),
        '--port',
        String(port),
        '--cert-file',
        shared.caFile!,
        '--key-file',
        shared.caFile!.replace(/local-ca\.pem$/, 'local-ca.key'),
        '--config-file',
        stackInfo().configFile,
      ],
      logFile: join(mkdtempSync(join(tmpdir(), 'azb-adf-proc-')), 'adf-standin.log'),
      cwd: join(__dirname, '../..'),
    });
    const viaProcess = new ConnectionRegistry({
      ...stackConfig().connections,
      adf: { ...shared, endpoint: `https://127.0.0.1:${port}`, factoryName: uniqueName('adf-proc') },
    });
    try {
      await waitForPort(proc, port);
      await deployPipelines(
        viaProcess.dataFactory('adf'),
        deploySettings(viaProcess, { source: 'source', backup: 'backup' }, (_f, resolve) => resolve()),
      );
      const target = await copyName('photos/003.bin');
      const listPath = await writeList('lists/proc.json', [
        { source: `${source.containerName}/photos/003.bin`, target: `${backup.containerName}/proc/${target}` },
      ]);
      const result = (await new MockActivityEnvironment({}, { logger }).run(
        createAdfActivities(viaProcess).runAdfPipeline,
        {
          adf: 'adf',
          pipeline: ADF_PIPELINES.copyBlobs,
          parameters: { listPath, logPath: `${backup.containerName}/adf-logs/proc` },
          pollEveryMs: 200,
        },
      )) as AdfRunResult;
      assert.equal(result.output?.filesWritten, 1);
      assert.deepEqual(await backup.getBlobClient(`proc/${target}`).downloadToBuffer(), seeded.get('photos/003.bin'));
    } finally {
      viaProcess.close();
      await proc.stop();
    }
  });
});
