// The CLI's progress display: the bar's arithmetic, and redrawing in place only on a terminal.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatProgress } from '../../src/cli/progress-command';
import { bar, ProgressLine } from '../../src/cli/progress-bar';
import { emptyCounts } from '../../src/domain/backup-counts';

describe('progress bar', () => {
  it('fills in proportion, clamps, and shows an empty bar when the total is unknown', () => {
    assert.equal(bar(0, 4, 8), '[--------]   0%');
    assert.equal(bar(1, 4, 8), '[##------]  25%');
    assert.equal(bar(4, 4, 8), '[########] 100%');
    assert.equal(bar(5, 4, 8), '[########] 100%');
    assert.equal(bar(0, 0, 8), '[--------]   0%');
  });

  it('marks the page total as open until the listing is done', () => {
    const p = {
      ...emptyCounts(),
      phase: 'copying' as const,
      pagesListed: 4,
      pagesDone: 1,
      startedAt: '',
      elapsedMs: 0,
    };
    assert.match(formatProgress({ ...p, listingDone: false }), /^copying \[#+-+\] {2}25% 1\/4\+ pages/);
    assert.match(formatProgress({ ...p, listingDone: true }), /^copying \[#+-+\] {2}25% 1\/4 pages/);
  });

  it('redraws one line on a terminal, cut to its width, and moves below it when finished', () => {
    const out: string[] = [];
    const line = new ProgressLine({ isTTY: true, columns: 10, write: (t: string) => out.push(t) });
    line.update('short');
    line.update('much longer than ten');
    line.finish();
    assert.deepEqual(out, ['\r\x1b[2Kshort', '\r\x1b[2Kmuch lon…', '\n']);
  });

  it('writes plain lines when the output is not a terminal', () => {
    const out: string[] = [];
    const line = new ProgressLine({ isTTY: false, write: (t: string) => out.push(t) });
    line.update('a');
    line.update('b');
    line.finish();
    assert.deepEqual(out, ['  a\n', '  b\n']);
  });
});
