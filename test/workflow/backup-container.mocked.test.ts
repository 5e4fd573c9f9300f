// backupContainer's orchestration with mocked activities (in addition to the real-stack tests): paging,
// continue-as-new carrying progress, retries counted once, bad input failing before any activity.
import { Client, Connection, WorkflowFailedError } from '@temporalio/client';
import { ApplicationFailure } from '@temporalio/common';
import { NativeConnection, Worker } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Activities, CopyPageInput, CopyPageResult } from '../../src/activities';
import { emptyCounts } from '../../src/domain/backup-counts';
import { backupContainer } from '../../src/workflows/backup-container';
import { quietRuntime, stackConfig, stackInfo, uniqueName } from '../support/stack';

const NEXT: Record<string, string | undefined> = { start: 't1', t1: 't2', t2: undefined };

describe('backupContainer orchestration (mocked activities)', () => {
  const calls: CopyPageInput[] = [];
  const prepareCalls: unknown[] = [];
  let failNextT1 = true;
  const activities: Pick<Activities, 'prepareBackup' | 'copyPage'> = {
    async prepareBackup(input) {
      prepareCalls.push(input);
      return { sourceAccount: 'acct-src', backupAccount: 'acct-bk' };
    },
    async copyPage(input): Promise<CopyPageResult> {
      calls.push(input);
      if (input.continuationToken === 't1' && failNextT1) {
        failNextT1 = false;
        throw new Error('transient: connection reset');
      }
      return {
        ...emptyCounts(),
        listed: 10,
        copied: 9,
        failed: 1,
        bytesCopied: 900,
        failures: [{ blob: `bad-${input.continuationToken ?? 'start'}`, reason: '403 AuthorizationFailure' }],
        nextContinuationToken: NEXT[input.continuationToken ?? 'start'],
      };
    },
  };
  let worker: Worker;
  let running: Promise<void>;
  let nativeConnection: NativeConnection;
  let client: Client;
  const taskQueue = uniqueName('tq-mock');

  before(async () => {
    quietRuntime();
    const config = stackConfig();
    nativeConnection = await NativeConnection.connect({ address: config.temporal.address });
    worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowBundle: { codePath: stackInfo().workflowBundlePath },
      activities,
    });
    running = worker.run();
    client = new Client({ connection: await Connection.connect({ address: config.temporal.address }) });
  });
  after(async () => {
    worker.shutdown();
    await running;
    await nativeConnection.close();
    await client.connection.close();
  });

  it('walks every page, continuing as new each page, and sums counts exactly once', async () => {
    const handle = await client.workflow.start(backupContainer, {
      taskQueue,
      workflowId: uniqueName('wf'),
      args: [{ source: 'src', container: 'photos', backup: 'bk', maxPagesPerRun: 1, concurrency: 4, pageSize: 10 }],
    });
    const result = await handle.result();
    assert.equal(result.pages, 3);
    assert.equal(result.listed, 30);
    assert.equal(result.copied, 27);
    assert.equal(result.failed, 3);
    assert.equal(result.bytesCopied, 2700);
    assert.deepEqual(
      result.failures.map((f) => f.blob),
      ['bad-start', 'bad-t1', 'bad-t2'],
    );
    assert.equal(result.sourceAccount, 'acct-src');
    assert.equal(prepareCalls.length, 1, 'preflight runs once, not again after continue-as-new');
    // t1 was attempted twice (a transient failure, retried), each token requested in order.
    assert.deepEqual(
      calls.map((c) => c.continuationToken),
      [undefined, 't1', 't1', 't2'],
    );
    assert.ok(calls.every((c) => c.pageSize === 10 && c.concurrency === 4 && c.backupContainer === 'azbackup'));
    const { runId } = await handle.describe();
    assert.notEqual(runId, handle.firstExecutionRunId, 'the run continued as new');
  });

  it('rejects bad input before calling any activity', async () => {
    const before = calls.length + prepareCalls.length;
    const err = await client.workflow
      .execute(backupContainer, {
        taskQueue,
        workflowId: uniqueName('wf-bad'),
        args: [{ source: 'src', container: 'x', backup: 'bk', pageSize: 0 }],
      })
      .catch((e: unknown) => e);
    assert.ok(err instanceof WorkflowFailedError);
    assert.ok(err.cause instanceof ApplicationFailure);
    assert.equal(err.cause.type, 'InvalidInput');
    assert.match(
      err.cause.message,
      /container must be 3 to 63 characters long \(has 1\).*pageSize must be a whole number from 1 to 5000/,
    );
    assert.equal(calls.length + prepareCalls.length, before);
  });
});
