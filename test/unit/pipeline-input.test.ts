// What the pipeline workflows reject before any activity: every problem at once, each naming its field.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  pipelineBackupProblems,
  pipelineRestoreProblems,
  pipelineRetentionProblems,
} from '../../src/domain/pipeline-manifest';

const fields = (problems: { field: string }[]) => problems.map((p) => p.field);
const ok = { name: 'app-db', source: { kind: 'directory', path: '/x' }, sink: { kind: 'file', path: '/y' } };

describe('pipeline input', () => {
  it('accepts a complete backup, restore and retention input', () => {
    assert.deepEqual(pipelineBackupProblems({ ...ok, filters: [{ kind: 'gzip' }], maxAttempts: 2 }), []);
    assert.deepEqual(pipelineRestoreProblems({ name: 'app-db', sink: ok.sink, target: { kind: 'verify' } }), []);
    assert.deepEqual(pipelineRetentionProblems({ name: 'app-db', sink: ok.sink, policy: { keepDaily: 7 } }), []);
  });

  const table: [string, () => { field: string }[], string[]][] = [
    [
      'bad name, missing kind, not an object, filter without kind',
      () => pipelineBackupProblems({ name: 'Bad Name', source: {}, sink: 3, filters: [{}] }),
      ['name', 'source', 'sink', 'filters.0'],
    ],
    [
      'filters not a list, attempts out of range',
      () => pipelineBackupProblems({ ...ok, filters: 'gzip', maxAttempts: 0 }),
      ['filters', 'maxAttempts'],
    ],
    [
      'restore without target, run key not a string',
      () => pipelineRestoreProblems({ name: 'a', sink: ok.sink, runKey: 5 }),
      ['target', 'runKey'],
    ],
    [
      'an empty policy never deletes',
      () => pipelineRetentionProblems({ name: 'a', sink: ok.sink, policy: {} }),
      ['policy'],
    ],
    [
      'a bad keep count',
      () => pipelineRetentionProblems({ name: 'a', sink: ok.sink, policy: { keepLast: -1 } }),
      ['policy.keepLast'],
    ],
  ];
  for (const [what, problems, expected] of table) it(what, () => assert.deepEqual(fields(problems()), expected));
});
