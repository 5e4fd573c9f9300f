// Producer triggers without I/O: request validation, merging into one bounded pending summary, and
// Event Grid BlobCreated queue messages (the shapes Azure documents) parsed or set aside with a reason.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  backupRequestProblems,
  describePending,
  MAX_LISTED_BLOBS,
  mergeRequest,
  noPendingRequests,
  triggerWorkflowId,
} from '../../src/domain/backup-request';
import { parseBlobCreatedMessage } from '../../src/domain/event-grid';
import { parseConfig } from '../../src/config/load';

/** The Event Grid schema sample of Microsoft.Storage.BlobCreated (Azure's docs), one event as a queue message holds it. */
const EVENT_GRID_SAMPLE = {
  // (the docs' account name, my-storage-account, has dashes, which account names cannot)
  topic:
    '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/Storage/providers/Microsoft.Storage/storageAccounts/mystorageaccount',
  subject: '/blobServices/default/containers/test-container/blobs/new-file.txt',
  eventType: 'Microsoft.Storage.BlobCreated',
  eventTime: '2017-06-26T18:41:00.9584103Z',
  id: '831e1650-001e-001b-66ab-eeb76e069631',
  data: {
    api: 'PutBlockList',
    clientRequestId: '6d79dbfb-0e37-4fc4-981f-442c9ca65760',
    requestId: '831e1650-001e-001b-66ab-eeb76e000000',
    eTag: '"0x8D4BCC2E4835CD0"',
    contentType: 'text/plain',
    contentLength: 524288,
    blobType: 'BlockBlob',
    url: 'https://mystorageaccount.blob.core.windows.net/test-container/new-file.txt',
    sequencer: '00000000000004420000000000028963',
    storageDiagnostics: { batchId: 'b68529f3-68cd-4744-baa4-3c0498ec19f0' },
  },
  dataVersion: '',
  metadataVersion: '1',
};

const CLOUD_EVENT_SAMPLE = {
  specversion: '1.0',
  type: 'Microsoft.Storage.BlobCreated',
  source:
    '/subscriptions/00000000-0000-0000-0000-000000000000/resourceGroups/rg/providers/Microsoft.Storage/storageAccounts/mystorageaccount',
  id: '9aeb0fdf-c01e-0131-0922-9eb54906e209',
  time: '2019-11-18T15:13:39.4589254Z',
  subject: 'blobServices/default/containers/test-container/blobs/dir/new-file.png',
  data: { api: 'PutBlockList', eTag: '0x8D76C39E4407333', contentType: 'image/png', contentLength: 30699 },
};

const base64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64');

describe('Event Grid BlobCreated queue messages', () => {
  it('parse the Event Grid schema, base64-encoded as Event Grid writes it, and as plain JSON', () => {
    const expected = {
      ok: true,
      events: [
        {
          id: EVENT_GRID_SAMPLE.id,
          account: 'mystorageaccount',
          container: 'test-container',
          blob: 'new-file.txt',
          eventTime: EVENT_GRID_SAMPLE.eventTime,
        },
      ],
    };
    assert.deepEqual(parseBlobCreatedMessage(base64(EVENT_GRID_SAMPLE)), expected);
    assert.deepEqual(parseBlobCreatedMessage(JSON.stringify(EVENT_GRID_SAMPLE)), expected);
    assert.deepEqual(parseBlobCreatedMessage(JSON.stringify([EVENT_GRID_SAMPLE])), expected);
  });

  it('parse the CloudEvents 1.0 schema (subject without a leading slash, names with slashes)', () => {
    const parsed = parseBlobCreatedMessage(base64(CLOUD_EVENT_SAMPLE));
    assert.deepEqual(parsed, {
      ok: true,
      events: [
        {
          id: CLOUD_EVENT_SAMPLE.id,
          account: 'mystorageaccount',
          container: 'test-container',
          blob: 'dir/new-file.png',
          eventTime: CLOUD_EVENT_SAMPLE.time,
        },
      ],
    });
  });

  const poison: [string, string, RegExp][] = [
    ['not JSON', 'hello world!', /neither JSON nor base64/],
    ['base64 of text', Buffer.from('hello').toString('base64'), /neither JSON nor base64/],
    ['truncated JSON', JSON.stringify(EVENT_GRID_SAMPLE).slice(0, 50), /neither JSON/],
    ['an empty list', '[]', /holds 0 events/],
    ['a number', '[1]', /is not a JSON object/],
    [
      'BlobDeleted',
      base64({ ...EVENT_GRID_SAMPLE, eventType: 'Microsoft.Storage.BlobDeleted' }),
      /eventType is "Microsoft.Storage.BlobDeleted", not Microsoft.Storage.BlobCreated/,
    ],
    ['no id', base64({ ...EVENT_GRID_SAMPLE, id: undefined }), /has no id/],
    ['a subject of another service', base64({ ...EVENT_GRID_SAMPLE, subject: '/fileServices/x' }), /subject/],
    [
      'a topic without an account',
      base64({ ...EVENT_GRID_SAMPLE, topic: '/subscriptions/x' }),
      /topic .* does not end/,
    ],
    [
      'a bad container name',
      base64({ ...EVENT_GRID_SAMPLE, subject: '/blobServices/default/containers/Bad_Name/blobs/a' }),
      /container "Bad_Name" may contain only/,
    ],
    [
      'a bad time',
      base64({ ...EVENT_GRID_SAMPLE, eventTime: 'yesterday' }),
      /eventTime "yesterday" is not an ISO time/,
    ],
    ['a CloudEvent of another type', base64({ ...CLOUD_EVENT_SAMPLE, type: 'x' }), /^type is "x"/],
  ];
  for (const [name, text, reason] of poison) {
    it(`set aside: ${name}`, () => {
      const parsed = parseBlobCreatedMessage(text);
      assert.equal(parsed.ok, false);
      assert.match((parsed as { reason: string }).reason, reason);
    });
  }
});

describe('backup requests', () => {
  it('are addressed to one trigger per (source connection, container)', () => {
    assert.equal(triggerWorkflowId('source', 'photos'), 'trigger/source/photos');
  });

  const table: [string, unknown, string[]][] = [
    ['empty (the whole container)', {}, []],
    ['a prefix', { prefix: '2026/12/', requestedBy: 'ingest', at: '2026-12-01T02:00:00Z' }, []],
    ['blobs', { blobs: ['a.txt', 'b/c.txt'] }, []],
    ['prefix and blobs', { prefix: 'a', blobs: ['b'] }, ['blobs']],
    ['an empty blob list', { blobs: [] }, ['blobs']],
    ['a blob that is not a name', { blobs: ['a', 7] }, ['blobs[1]']],
    ['a bad time', { at: 'soon' }, ['at']],
    ['an unknown field', { prefx: 'a' }, ['prefx']],
    ['not an object', 'photos', ['(request)']],
  ];
  for (const [name, request, fields] of table) {
    it(`${name} -> ${fields.length ? fields.join(', ') : 'valid'}`, () =>
      assert.deepEqual(
        backupRequestProblems(request).map((p) => p.field),
        fields,
      ));
  }

  it('merge into one pending summary: prefixes, blobs and requesters once each, times spanned', () => {
    let p = noPendingRequests();
    p = mergeRequest(p, { prefix: 'a/', requestedBy: 'job-1', at: '2026-12-01T02:00:05Z' });
    p = mergeRequest(p, { blobs: ['x', 'y'], requestedBy: 'job-2', at: '2026-12-01T02:00:01Z' });
    p = mergeRequest(p, { prefix: 'a/', blobs: undefined, requestedBy: 'job-1', at: '2026-12-01T02:00:09Z' });
    assert.deepEqual(p, {
      count: 3,
      firstAt: '2026-12-01T02:00:01Z',
      lastAt: '2026-12-01T02:00:09Z',
      prefixes: ['a/'],
      blobs: ['x', 'y'],
      requestedBy: ['job-1', 'job-2'],
      wholeContainer: false,
      truncated: false,
      malformed: 0,
    });
    assert.equal(describePending(p), '3 requests; prefixes a/; 2 blobs; from job-1, job-2');
  });

  it('never refuse: a malformed request counts as a whole-container one', () => {
    const p = mergeRequest(noPendingRequests(), { blobs: 'oops' });
    assert.equal(p.count, 1);
    assert.equal(p.malformed, 1);
    assert.equal(p.wholeContainer, true);
  });

  it('stay bounded: past the cap only the count grows', () => {
    let p = noPendingRequests();
    for (let i = 0; i < 300; i++) p = mergeRequest(p, { blobs: [`b-${i}`] });
    assert.equal(p.count, 300);
    assert.equal(p.blobs.length, MAX_LISTED_BLOBS);
    assert.equal(p.truncated, true);
  });
});

describe('queue trigger config', () => {
  const connections = {
    events: { kind: 'queue', connectionString: 'UseDevelopmentStorage=true' },
    source: { kind: 'blob', connectionString: 'UseDevelopmentStorage=true' },
  };
  it('fills defaults and checks that each named connection exists with the right kind', () => {
    const ok = parseConfig({
      connections,
      worker: { queueTriggers: [{ connection: 'events', queue: 'blob-created', backup: 'source' }] },
    });
    assert.equal(ok.worker.queueTriggers[0]!.maxDequeueCount, 5);
    assert.throws(
      () =>
        parseConfig({
          connections,
          worker: { queueTriggers: [{ connection: 'source', queue: 'Bad_Queue', backup: 'nope' }] },
        }),
      (err: Error) =>
        /queueTriggers\.0\.queue: must be a queue name/.test(err.message) &&
        /queueTriggers\.0\.connection: is a blob connection; this needs a queue connection/.test(err.message) &&
        /queueTriggers\.0\.backup: is not a connection of this config/.test(err.message),
    );
  });
});
