// The backup framework on the real stack (Temporal, Azurite): a directory of 1,000 files (nested, unicode
// names, empty files, one of 200 MB) through tar → gzip → AES-256-GCM into blob blocks and back into an
// identical tree; a wrong key refused before anything is restored; a command that fails mid-stream leaves
// no catalog entry and no committed object; bad input refused for good before any write; retention
// forgets runs by the blob backups' policy; a blob round-trips into a new blob (never over one); a drill
// (`verify` target) reads a run back through its digests.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { WorkflowFailedError } from '@temporalio/client';
import { pipelinePaths } from '../../src/domain/catalog-layout';
import type { PluginSpec } from '../../src/domain/pipeline-manifest';
import {
  applyPipelineRetention,
  restorePipelineBackup,
  runBackupPipeline,
  type PipelineBackupInput,
  type PipelineRestoreInput,
} from '../../src/workflows/backup-pipeline';
import { useBlobFixture } from '../support/blob-fixture';
import { rootApplicationFailure } from '../support/failures';
import { startTestWorker, uniqueName, type TestWorker } from '../support/stack';
import { buildTree, describeTree } from '../support/tree';

const MiB = 1024 * 1024;

describe('backup pipeline', () => {
  const fixture = useBlobFixture();
  const dir = mkdtempSync(join(tmpdir(), 'azb-pipeline-'));
  const sink = (container = fixture.backupName): PluginSpec => ({
    kind: 'blob',
    connection: 'backup',
    container,
    blockBytes: 2 * MiB,
    concurrency: 2,
  });
  const chain: PluginSpec[] = [{ kind: 'gzip' }, { kind: 'aes-256-gcm', key: 'local' }];
  const backup = (input: Partial<PipelineBackupInput> & Pick<PipelineBackupInput, 'name' | 'source'>) =>
    fixture.w.client.workflow.execute(runBackupPipeline, {
      taskQueue: fixture.w.taskQueue,
      workflowId: uniqueName('wf-pipeline'),
      args: [{ filters: chain, sink: sink(), ...input }],
    });
  const restore = (
    input: Partial<PipelineRestoreInput> & Pick<PipelineRestoreInput, 'name' | 'target'>,
    w: TestWorker = fixture.w,
  ) =>
    w.client.workflow.execute(restorePipelineBackup, {
      taskQueue: w.taskQueue,
      workflowId: uniqueName('wf-pipeline-restore'),
      args: [{ sink: sink(), ...input }],
    });
  const failure = async (run: Promise<unknown>) => {
    const err = await run.then(
      () => assert.fail('the workflow should have failed'),
      (e: unknown) => e,
    );
    assert.ok(err instanceof WorkflowFailedError, String(err));
    const root = rootApplicationFailure(err);
    assert.ok(root, `no ApplicationFailure behind ${String(err)}`);
    return root;
  };
  const blobNames = async (prefix: string, container = fixture.backupName) => {
    const names: string[] = [];
    const client = fixture.w.connections.blob('backup').service.getContainerClient(container);
    if (!(await client.exists())) return names;
    for await (const b of client.listBlobsFlat({ prefix })) names.push(b.name);
    return names;
  };

  it('backs up a directory of 1,000 files and restores an identical tree', async () => {
    const src = join(dir, 'tree');
    await buildTree(src, { files: 1000, largeFileBytes: 200 * MiB });
    const manifest = await backup({ name: 'tree', source: { kind: 'directory', path: src } });
    assert.equal(manifest.streamFormat, 'tar');
    assert.equal(manifest.encryptionKey, 'local');
    assert.deepEqual(
      manifest.filterDescriptions.map((d) => (d as { kind: string }).kind),
      ['gzip', 'aes-256-gcm'],
    );
    assert.equal(manifest.sourceDetails.files, 1000);
    assert.ok(manifest.plain.bytes > 200 * MiB, 'the plaintext is the whole tar');
    assert.ok(manifest.stored.bytes < manifest.plain.bytes / 2, 'gzip shrank it');
    const props = await fixture.bk().getBlobClient(manifest.object).getProperties();
    assert.equal(props.contentLength, manifest.stored.bytes);

    const out = join(dir, 'restored');
    const result = await restore({ name: 'tree', target: { kind: 'directory', path: out } });
    assert.equal(result.runKey, manifest.runKey);
    assert.deepEqual(await describeTree(out), await describeTree(src));

    // A drill: the same run read back through both digests, nothing written.
    const drill = await restore({ name: 'tree', target: { kind: 'verify' } });
    assert.deepEqual(drill.target, { bytes: manifest.plain.bytes });
  });

  it('refuses a wrong key before anything is restored', async () => {
    const src = join(dir, 'small');
    await buildTree(src, { files: 20 });
    await backup({ name: 'small', source: { kind: 'directory', path: src } });
    const keyDir = mkdtempSync(join(tmpdir(), 'azb-key-'));
    writeFileSync(join(keyDir, 'other.key'), randomBytes(32).toString('base64'));
    const wrong = await startTestWorker({ keys: { local: { source: 'file', path: join(keyDir, 'other.key') } } });
    try {
      const out = join(dir, 'wrong-key');
      const f = await failure(restore({ name: 'small', target: { kind: 'directory', path: out } }, wrong));
      assert.equal(f.type, 'IntegrityFailure');
      assert.match(f.message, /authentic|tag|key/i);
      assert.equal(existsSync(out), false, 'no restored directory');
      assert.equal(existsSync(`${out}.azbackup-partial`), false, 'no partial directory left');
    } finally {
      await wrong.stop();
    }
  });

  it('fails a command that exits non-zero mid-stream: nothing cataloged, no object committed', async () => {
    const name = 'failing-command';
    const f = await failure(
      backup({
        name,
        source: { kind: 'command', command: ['sh', '-c', 'head -c 6000000 /dev/urandom; echo dump broke >&2; exit 3'] },
        maxAttempts: 2,
      }),
    );
    assert.match(f.message, /exited with 3: dump broke/);
    assert.deepEqual(await blobNames(pipelinePaths.manifestsPrefix(name)), []);
    assert.deepEqual(await blobNames(pipelinePaths.objectsPrefix(name)), [], 'blocks staged, never committed');
  });

  it('refuses bad input for good before any write', async () => {
    const untouched = uniqueName('never');
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const cases: [string, Partial<PipelineBackupInput>, string, RegExp][] = [
      [
        'unknown plugin',
        { source: { kind: 'tape', path: '/x' } },
        'InvalidInput',
        /source\.kind: unknown source "tape"/,
      ],
      ['unknown filter', { filters: [{ kind: 'zstd' }] }, 'InvalidInput', /filters\.0\.kind: unknown filter/],
      [
        'missing key',
        { filters: [{ kind: 'aes-256-gcm', key: 'nope' }] },
        'EncryptionKey',
        /unknown encryption key name nope/,
      ],
      ['missing directory', { source: { kind: 'directory', path: join(dir, 'gone') } }, 'InvalidInput', /ENOENT/],
      ['not a directory', { source: { kind: 'directory', path: file } }, 'InvalidInput', /is not a directory/],
      ['command not found', { source: { kind: 'command', command: ['no-such-dump'] } }, 'InvalidInput', /not found/],
      [
        'bad option',
        { sink: { kind: 'blob', connection: 'backup', container: untouched, blockBytes: 0 } },
        'InvalidInput',
        /sink\.blockBytes/,
      ],
    ];
    for (const [what, input, type, message] of cases) {
      const f = await failure(
        backup({ name: 'bad', source: { kind: 'directory', path: dir }, sink: sink(untouched), ...input }),
      );
      assert.equal(f.type, type, what);
      assert.match(f.message, message, what);
      assert.equal(f.nonRetryable, true, what);
    }
    const container = fixture.w.connections.blob('backup').service.getContainerClient(untouched);
    assert.equal(await container.exists(), false, 'nothing was written');
  });

  it('backs up a blob and restores it into a new blob, never over an existing one', async () => {
    const source = fixture.w.connections.blob('source').service.getContainerClient(uniqueName('src'));
    await source.create();
    const body = randomBytes(3 * MiB + 11);
    await source.getBlockBlobClient('dump.bin').uploadData(body);
    const blobSpec = { kind: 'blob', connection: 'source', container: source.containerName, blob: 'dump.bin' };
    const manifest = await backup({ name: 'from-blob', source: blobSpec });
    assert.equal(manifest.plain.bytes, body.length);
    const target = { ...blobSpec, blob: 'restored.bin' };
    await restore({ name: 'from-blob', target });
    assert.ok((await source.getBlobClient('restored.bin').downloadToBuffer()).equals(body));
    const again = await failure(restore({ name: 'from-blob', target }));
    assert.equal(again.type, 'InvalidInput');
    assert.match(again.message, /target\.blob: .*restored\.bin already exists/);
  });

  it('forgets pipeline runs by the retention policy, keeping the newest', async () => {
    const name = 'retained';
    const keys: string[] = [];
    for (let i = 0; i < 3; i++)
      keys.push((await backup({ name, source: { kind: 'command', command: ['echo', `run ${i}`] } })).runKey);
    const objects = await blobNames(pipelinePaths.objectsPrefix(name));
    assert.equal(objects.length, 3);
    const result = await fixture.w.client.workflow.execute(applyPipelineRetention, {
      taskQueue: fixture.w.taskQueue,
      workflowId: uniqueName('wf-pipeline-retention'),
      args: [{ name, sink: sink(), policy: { keepLast: 1 } }],
    });
    assert.deepEqual(result.removed.sort(), keys.slice(0, 2).sort());
    assert.deepEqual(await blobNames(pipelinePaths.manifestsPrefix(name)), [pipelinePaths.manifest(name, keys[2]!)]);
    assert.equal((await blobNames(pipelinePaths.objectsPrefix(name))).length, 1);
    const out = join(dir, 'kept.txt');
    await restore({ name, target: { kind: 'command', command: ['sh', '-c', `cat > ${out}`] } });
    assert.equal(readFileSync(out, 'utf8'), 'run 2\n');
  });
});
