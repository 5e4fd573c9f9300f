// Cutting README shell blocks into whole commands: what readme-commands.test.ts runs.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readmeCommands } from '../support/readme-shell';

const md = (body: string) => ['# title', '', '```sh', body, '```', 'text', '```yaml', 'a: b', '```'].join('\n');

describe('readmeCommands', () => {
  it('keeps continuations, quotes across lines and loops whole; drops comments', () => {
    const commands = readmeCommands(
      md(
        [
          'npm run worker   # or: npm run build && node x.js',
          'temporal workflow start --type t \\',
          '  --input \'{"a":1,',
          '            "b":"# not a comment"}\'',
          '# a comment line',
          'for a in X Y; do',
          '  echo $a',
          'done',
        ].join('\n'),
      ),
    );
    assert.deepEqual(
      commands.map((c) => [c.line, c.commented, c.text]),
      [
        [4, false, 'npm run worker'],
        [5, false, 'temporal workflow start --type t \\\n  --input \'{"a":1,\n            "b":"# not a comment"}\''],
        [9, false, 'for a in X Y; do\n  echo $a\ndone'],
      ],
    );
  });

  it('takes the npx azbackup alternatives given in comments, continued over comment lines', () => {
    const commands = readmeCommands(
      md(
        [
          'temporal workflow start --type t',
          '# or: npx azbackup backup --wait',
          '#     npx azbackup restore cosmos --account a \\',
          '#         --to c/d/e --wait',
          'npx azbackup runs   # the runs of a source',
        ].join('\n'),
      ),
    );
    assert.deepEqual(
      commands.map((c) => [c.line, c.commented, c.text]),
      [
        [4, false, 'temporal workflow start --type t'],
        [5, true, 'npx azbackup backup --wait'],
        [6, true, 'npx azbackup restore cosmos --account a \\\n--to c/d/e --wait'],
        [8, false, 'npx azbackup runs'],
      ],
    );
  });
});
