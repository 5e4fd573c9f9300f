// The shape of a large backup on the real stack, scaled down: 2,050 blobs in pages of 10 are 205 pages,
// so the parent continues as new after 200 (its default), and every history stays small with small payloads.
import type { WorkflowHandle } from '@temporalio/client';
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { mapWithConcurrency } from '../../src/lib/async-pool';
import { backupContainer } from '../../src/workflows/backup-container';
import { uniqueName } from '../support/stack';
import { useBlobFixture } from '../support/blob-fixture';

const BLOBS = 2_050;
const PAGE = 10;

type History = Awaited<ReturnType<WorkflowHandle['fetchHistory']>>;
type Payload = { data?: Uint8Array | null; metadata?: Record<string, Uint8Array | null> | null };

/** Sizes of every payload in a history (inputs, results, memo, search attributes, heartbeat details...). */
function payloadSizes(value: unknown, out: number[] = []): number[] {
  if (value === null || typeof value !== 'object' || ArrayBuffer.isView(value)) return out;
  const p = value as Payload;
  if (p.data instanceof Uint8Array && p.metadata) {
    const metadata = Object.values(p.metadata).reduce((n, v) => n + (v?.length ?? 0), 0);
    out.push(p.data.length + metadata);
    return out;
  }
  for (const v of Object.values(value)) payloadSizes(v, out);
  return out;
}

describe('blob backup at scale (real stack)', () => {
  const fixture = useBlobFixture();
  const container = uniqueName('scale');
  before(() => fixture.seed(container, { count: BLOBS, sizeInBytes: 64 }));

  it('2,050 blobs in 205 pages: continues as new, every history far below the limits', async (t) => {
    const workflowId = uniqueName('wf-scale');
    const handle = await fixture.w.client.workflow.start(backupContainer, {
      taskQueue: fixture.w.taskQueue,
      workflowId,
      args: [
        {
          source: 'source',
          container,
          backup: 'backup',
          backupContainer: uniqueName('bk-scale'),
          pageSize: PAGE,
          maxConcurrentPages: 8,
        },
      ],
    });
    const r = await handle.result();
    assert.deepEqual(
      [r.listed, r.new, r.snapshotted, r.copied, r.failed, r.pages, r.verified],
      [BLOBS, BLOBS, BLOBS, BLOBS, 0, BLOBS / PAGE, true],
    );

    // The parent's runs, followed from the first through each continue-as-new event.
    const runs: History[] = [];
    for (let runId: string | undefined = handle.firstExecutionRunId; runId;) {
      const history = await fixture.w.client.workflow.getHandle(workflowId, runId).fetchHistory();
      runs.push(history);
      runId = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId ?? undefined;
    }
    assert.equal(runs.length, 2, 'continued as new once, after 200 pages');
    const children = await mapWithConcurrency(
      Array.from({ length: r.pages }, (_, i) => `${workflowId}/${r.runKey}/page-${i}`),
      8,
      (id) => fixture.w.client.workflow.getHandle(id).fetchHistory(),
    );
    const events = (h: History) => h.events?.length ?? 0;
    const parentEvents = runs.map(events);
    const childEvents = Math.max(...children.map(events));
    const largestPayload = Math.max(...[...runs, ...children].flatMap((h) => payloadSizes(h)));
    t.diagnostic(
      `parent runs ${parentEvents.join(' + ')} events, page children <= ${childEvents}, payload <= ${largestPayload} B`,
    );
    assert.ok(
      parentEvents.every((n) => n < 3_000),
      `parent runs: ${parentEvents.join(', ')} events`,
    );
    assert.ok(childEvents < 50, `page children: up to ${childEvents} events`);
    assert.ok(largestPayload < 256 * 1024, `largest payload ${largestPayload} B`);
    assert.ok(largestPayload < 16 * 1024, 'references, not name lists: every payload is a few KB at most');
  });
});
