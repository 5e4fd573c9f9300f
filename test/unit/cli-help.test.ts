// Every command's --help ends with an example a user can paste (npx azbackup <command> ...).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { COMMAND_HELP } from '../../src/cli/help';
import { formatDuration, paceOf, pagesDoneWithInFlight } from '../../src/cli/live-progress';

describe('CLI help and pace', () => {
  for (const [command, text] of Object.entries(COMMAND_HELP))
    it(`${command} --help has an example`, () =>
      assert.match(text, new RegExp(`\\nexample:\\n  npx azbackup ${command} \\S`)));

  it('counts pages in flight by their share of items, and estimates the time left from the share done', () => {
    const inFlight = [{ workflowId: 'p', finished: 5, total: 20, bytesCopied: 0 }];
    assert.equal(pagesDoneWithInFlight(1, inFlight), 1.25);
    const pace = paceOf({ elapsedMs: 10_000, items: 50, bytes: 1024, done: 1.25, total: 5, totalKnown: true });
    assert.deepEqual(pace, { itemsPerSecond: 5, bytesPerSecond: 102.4, etaSeconds: 30 });
    assert.equal(
      paceOf({ elapsedMs: 1, items: 0, bytes: 0, done: 0, total: 5, totalKnown: true }).etaSeconds,
      undefined,
    );
    assert.equal(formatDuration(3725), '1 h 2 min');
  });
});
