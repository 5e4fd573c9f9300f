// runAdfPipeline (the real activity, through MockActivityEnvironment and the real connection registry) against
// the ADF stand-in over HTTPS with the real @azure/arm-datafactory client, with faults from the stand-in's
// test route: a run that fails surfaces ADF's message non-retryably with its run id; cancelling the activity
// cancels the run (recursively) and leaves it Cancelled, while a worker shutting down leaves it running and
// the retried attempt, given the heartbeat details { runId }, watches that same run to its end (the stand-in
// saw one createRun); 429 bursts are retried, with and without Retry-After (honoured: the SDK gives up after
// 3 tries, the activity waits the asked second again); a rerun from failure sends the failed run's id as
// referencePipelineRunId and joins its group; bad input (unknown pipeline, missing, undeclared or mistyped
// parameters, no such factory connection, bad fields) fails for good before any run starts.
import { ActivityCancellationDetails, ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { MockActivityEnvironment } from '@temporalio/testing';
import { DefaultLogger } from '@temporalio/worker';
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { startLocalStandin, type LocalStandin } from '../../dev/adf-standin/test-client';
import { createAdfActivities } from '../../src/activities/adf';
import type { RunAdfPipelineInput } from '../../src/adf/run-input';
import type { AdfRunResult } from '../../src/adf/run-pipeline';
import type { AdfConnectionConfig } from '../../src/config/schema';
import { ConnectionRegistry } from '../../src/storage/connections';
import { stackConfig, stackInfo, uniqueName } from '../support/stack';
import { until } from '../support/worker-process';

const logger = new DefaultLogger('ERROR');
const PIPELINE = 'adf-run-test';

describe('runAdfPipeline against the ADF stand-in', () => {
  let standin: LocalStandin;
  let factory: string;
  let connections: ConnectionRegistry;
  let activities: ReturnType<typeof createAdfActivities>;

  before(async () => {
    const shared = stackConfig().connections.adf as AdfConnectionConfig;
    standin = await startLocalStandin({ config: stackInfo().config, caFile: shared.caFile!, inProgressForMs: 300 });
    factory = uniqueName('adf-run');
    connections = new ConnectionRegistry({
      ...stackConfig().connections,
      adf: { ...shared, endpoint: standin.url, factoryName: factory },
    });
    activities = createAdfActivities(connections, { retry: { baseDelayInMs: 50 } });
    const { client, resourceGroup } = connections.dataFactory('adf');
    await client.pipelines.createOrUpdate(resourceGroup, factory, PIPELINE, {
      parameters: { label: { type: 'String' }, count: { type: 'Int', defaultValue: 1 } },
      activities: [],
    });
  });
  after(async () => {
    connections.close();
    await standin.close();
  });

  /** Runs the activity in a fresh mock environment; `beats` collects its heartbeat details. */
  function start(input: RunAdfPipelineInput, heartbeatDetails?: unknown) {
    const env = new MockActivityEnvironment({ heartbeatDetails }, { logger });
    const beats: unknown[] = [];
    env.on('heartbeat', (d: unknown) => beats.push(d));
    const result = env.run(activities.runAdfPipeline, input) as Promise<AdfRunResult>;
    result.catch(() => {}); // awaited by the test; no unhandled rejection meanwhile
    return { env, beats, result };
  }

  const input = (extra: Partial<RunAdfPipelineInput> = {}): RunAdfPipelineInput => ({
    adf: 'adf',
    pipeline: PIPELINE,
    parameters: { label: 'x' },
    pollEveryMs: 100,
    ...extra,
  });

  const runOf = (runId: string) => {
    const { client, resourceGroup } = connections.dataFactory('adf');
    return client.pipelineRuns.get(resourceGroup, factory, runId);
  };

  const runIdIn = (beats: unknown[]) =>
    beats.map((b) => (b as { runId?: string } | undefined)?.runId).find((id) => id !== undefined);

  it('runs a pipeline to Succeeded, heartbeating the run id at once and on every poll', async () => {
    const { beats, result } = start(input());
    const done = await result;
    assert.equal(done.status, 'Succeeded');
    assert.match(done.runId, /^[0-9a-f-]{36}$/);
    assert.ok(done.durationInMs >= 250, `durationInMs ${done.durationInMs}`);
    assert.ok(Date.parse(done.runEnd) >= Date.parse(done.runStart));
    assert.deepEqual(beats[0], { runId: done.runId }, 'the first beat carries the run id');
    const polls = beats.filter((b) => (b as { status?: string }).status);
    assert.ok(polls.length >= 2, `a beat per poll, got ${JSON.stringify(beats)}`);
    assert.ok(polls.every((b) => (b as { runId: string }).runId === done.runId));
    assert.deepEqual((await standin.control.stats(factory)).createRuns.at(-1)?.parameters, { label: 'x' });
  });

  it("fails for good with ADF's own message and the run id when the run fails", async () => {
    await standin.control.fault(factory, {
      kind: 'fail',
      message: 'Operation on target CopyEach failed: boom (injected)',
    });
    const err = await start(input()).result.catch((e: unknown) => e);
    assert.ok(err instanceof ApplicationFailure, String(err));
    assert.equal(err.type, 'AdfRunFailed');
    assert.equal(err.nonRetryable, true);
    assert.match(err.message, /Operation on target CopyEach failed: boom \(injected\)/);
    const [details] = err.details as [{ runId: string; adfMessage: string; status: string }];
    assert.equal(details.status, 'Failed');
    assert.equal(details.adfMessage, 'Operation on target CopyEach failed: boom (injected)');
    assert.equal((await runOf(details.runId)).status, 'Failed');
  });

  it('cancels the run (recursively) when the workflow cancels the activity, and rethrows the cancellation', async () => {
    await standin.control.fault(factory, { kind: 'stall' });
    const { env, beats, result } = start(input());
    await until(async () => runIdIn(beats) !== undefined, 10_000, 'the run id heartbeat');
    const runId = runIdIn(beats)!;
    env.cancel(); // CANCELLED, cancelRequested: what a workflow's cancellation delivers
    const err = await result.catch((e: unknown) => e);
    assert.ok(err instanceof CancelledFailure, `expected CancelledFailure, got ${String(err)}`);
    assert.equal((await runOf(runId)).status, 'Cancelled');
    assert.deepEqual((await standin.control.stats(factory)).cancels.at(-1), { runId, isRecursive: true });
  });

  it('leaves the run going when the worker shuts down, and the retried attempt resumes watching the same run', async () => {
    await standin.control.reset(factory);
    await standin.control.fault(factory, { kind: 'stall' });
    const first = start(input());
    await until(async () => runIdIn(first.beats) !== undefined, 10_000, 'the run id heartbeat');
    const runId = runIdIn(first.beats)!;
    first.env.cancel('WORKER_SHUTDOWN', new ActivityCancellationDetails({ workerShutdown: true }));
    assert.ok((await first.result.catch((e: unknown) => e)) instanceof CancelledFailure);
    assert.equal((await runOf(runId)).status, 'InProgress', 'a shutdown does not cancel the run');

    // The retry: Temporal hands it the last heartbeat details.
    const lastBeat = first.beats.at(-1);
    assert.equal((lastBeat as { runId: string }).runId, runId);
    const second = start(input(), lastBeat);
    await until(async () => second.beats.length > 0, 10_000, 'the resumed attempt to heartbeat');
    assert.deepEqual(second.beats[0], { runId }, 'the resumed attempt heartbeats the same run id at once');
    assert.equal(await standin.control.release(factory), 1);
    const done = await second.result;
    assert.equal(done.runId, runId);
    assert.equal(done.status, 'Succeeded');
    const stats = await standin.control.stats(factory);
    assert.equal(stats.createRuns.length, 1, 'exactly one createRun across both attempts');
    assert.equal(stats.cancels.length, 0);
  });

  it('watches a run given in heartbeat details without creating one (the run was created elsewhere)', async () => {
    await standin.control.reset(factory);
    const { client, resourceGroup } = connections.dataFactory('adf');
    const { runId } = await client.pipelines.createRun(resourceGroup, factory, PIPELINE, {
      parameters: { label: 'y' },
    });
    const done = await start(input({ parameters: { label: 'ignored on resume' } }), { runId, status: 'Queued' }).result;
    assert.equal(done.runId, runId);
    assert.equal((await standin.control.stats(factory)).createRuns.length, 1, 'only the createRun of this test');
  });

  it('retries a burst of 429s without Retry-After (which the SDK does not retry)', async () => {
    await standin.control.reset(factory);
    await standin.control.fault(factory, { kind: 'throttle', count: 3 });
    const done = await start(input()).result;
    assert.equal(done.status, 'Succeeded');
    const stats = await standin.control.stats(factory);
    assert.equal(stats.throttled, 3);
    assert.equal(stats.createRuns.length, 1);
  });

  it('retries a 429 burst longer than the SDK retries, honouring Retry-After', async () => {
    await standin.control.reset(factory);
    // The SDK tries 4 times, waiting the asked second 3 times, then gives up; the activity waits once more.
    await standin.control.fault(factory, { kind: 'throttle', count: 4, retryAfterSeconds: 1 });
    const started = Date.now();
    const done = await start(input()).result;
    assert.equal(done.status, 'Succeeded');
    const elapsed = Date.now() - started;
    assert.ok(elapsed >= 3_800, `4 Retry-After seconds waited, took ${elapsed} ms`);
    assert.equal((await standin.control.stats(factory)).throttled, 4);
  });

  it('reruns a failed run from the failure with referencePipelineRunId, in its group', async () => {
    await standin.control.reset(factory);
    await standin.control.fault(factory, { kind: 'fail', message: 'Operation on target CopyEach failed: transient' });
    const failure = await start(input({ parameters: { label: 'rerun-me', count: 3 } })).result.catch((e: unknown) => e);
    assert.ok(failure instanceof ApplicationFailure && failure.type === 'AdfRunFailed');
    const failedRunId = (failure.details as [{ runId: string }])[0].runId;
    const done = await start(
      input({
        parameters: undefined,
        rerun: { referencePipelineRunId: failedRunId, startFromFailure: true, isRecovery: true },
      }),
    ).result;
    assert.equal(done.status, 'Succeeded');
    const [, rerun] = (await standin.control.stats(factory)).createRuns;
    assert.equal(rerun?.referencePipelineRunId, failedRunId);
    assert.equal(rerun?.startFromFailure, true);
    assert.equal(rerun?.isRecovery, true);
    const [original, latest] = await Promise.all([runOf(failedRunId), runOf(done.runId)]);
    assert.equal(latest.runGroupId, original.runGroupId, "a recovery run joins the failed run's group");
    assert.equal(original.isLatest, false);
    assert.deepEqual(latest.parameters, { label: 'rerun-me', count: '3' }, "the referenced run's parameters");
  });

  it('refuses bad input for good before any run starts', async () => {
    await standin.control.reset(factory);
    const refusal = async (bad: unknown, type: string, pattern: RegExp) => {
      const err = await start(bad as RunAdfPipelineInput).result.catch((e: unknown) => e);
      assert.ok(err instanceof ApplicationFailure, `${JSON.stringify(bad)}: ${String(err)}`);
      assert.equal(err.type, type, `${JSON.stringify(bad)}: ${err.message}`);
      assert.equal(err.nonRetryable, true);
      assert.match(err.message, pattern);
    };
    await refusal(
      input({ pipeline: 'no-such-pipeline' }),
      'AdfPipelineNotFound',
      /no-such-pipeline.*azbackup adf deploy/,
    );
    await refusal(input({ parameters: {} }), 'InvalidInput', /parameters\.label is required by pipeline adf-run-test/);
    await refusal(
      input({ parameters: { label: 'x', lable: 'typo' } }),
      'InvalidInput',
      /parameters\.lable is not a parameter of pipeline adf-run-test \(it takes: label, count\)/,
    );
    await refusal(
      input({ parameters: { label: 'x', count: 'three' } }),
      'InvalidInput',
      /parameters\.count must be a whole number/,
    );
    await refusal(input({ adf: 'no-such-factory' }), 'UnknownConnection', /adf: unknown connection "no-such-factory"/);
    await refusal(input({ adf: 'source' }), 'UnknownConnection', /adf: connection "source" is a blob connection/);
    await refusal(
      { adf: 'adf', pipeline: 'a/b', pollEveryMs: 5, rerun: { startFromFailure: 'yes' } },
      'InvalidInput',
      /pipeline must be the name.*rerun\.referencePipelineRunId is required.*rerun\.startFromFailure must be true or false.*pollEveryMs must be a whole number from 100/,
    );
    await refusal(
      input({ rerun: { referencePipelineRunId: 'not-a-run-of-this-factory' }, parameters: undefined }),
      'AdfRequestRejected',
      /ReferencedPipelineRunNotValid/,
    );
    assert.equal((await standin.control.stats(factory)).createRuns.length, 0, 'no run was started');
  });
});
