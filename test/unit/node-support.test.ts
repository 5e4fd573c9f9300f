// Supported Node.js lines: the table of what each version gets at start, the one check every entry
// point runs first, and engines / Dockerfile / README saying the same thing.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  checkNodeAtStart,
  DOCKER_NODE_VERSION,
  NODE_CHECKED_ENV,
  NODE_ENGINES,
  nodeSupport,
} from '../../src/lib/node-support';

const root = join(__dirname, '..', '..');
const read = (file: string) => readFileSync(join(root, file), 'utf8');

const TABLE: [version: string, level: 'ok' | 'warn' | 'error', says?: RegExp][] = [
  ['v16.20.2', 'error', /too old to run it/],
  ['v18.20.8', 'error', /too old to run it/],
  ['v20.20.2', 'warn', /past its end of life/],
  ['v21.7.3', 'warn', /past its end of life/],
  ['v22.0.0', 'warn', /older than 22\.13/],
  ['v22.12.0', 'warn', /older than 22\.13/],
  ['v22.13.0', 'ok'],
  ['v22.20.0', 'ok'],
  ['v23.11.1', 'warn', /odd-numbered/],
  ['v24.0.0', 'ok'],
  ['v24.11.1', 'ok'],
  ['v25.2.0', 'warn', /odd-numbered/],
  ['v26.0.0', 'warn', /newer than the lines/],
  ['not-a-version', 'warn', /cannot tell/],
];

describe('supported Node.js lines', () => {
  for (const [version, level, says] of TABLE) {
    it(`${version}: ${level}`, () => {
      const support = nodeSupport(version);
      assert.equal(support.level, level);
      if (level === 'ok') assert.equal(support.message, undefined);
      else {
        assert.match(support.message!, says!);
        assert.ok(support.message!.includes(version.replace(/^v/, '')), 'names the version it found');
        assert.match(support.message!, /nvm install 24/, 'says how to get a supported Node.js');
      }
    });
  }

  it('warns once per process tree, exits 1 below Node 20 even when a parent checked', () => {
    const env: NodeJS.ProcessEnv = {};
    const lines: string[] = [];
    const exits: number[] = [];
    const options = {
      env,
      write: (line: string) => lines.push(line),
      exit: ((code: number) => exits.push(code)) as (code: number) => never,
    };
    checkNodeAtStart({ ...options, version: 'v20.20.2' });
    checkNodeAtStart({ ...options, version: 'v20.20.2' });
    assert.equal(lines.length, 1);
    assert.equal(env[NODE_CHECKED_ENV], 'v20.20.2');
    assert.deepEqual(exits, []);
    checkNodeAtStart({ ...options, version: 'v24.11.1' });
    assert.equal(lines.length, 1, 'a supported version prints nothing');
    checkNodeAtStart({ ...options, version: 'v18.20.8', env: { [NODE_CHECKED_ENV]: 'v18.20.8' } });
    assert.deepEqual(exits, [1]);
    assert.match(lines[1]!, /too old/);
  });

  it('is the first import of every entry point', () => {
    const entries = [
      'src/workers/main.ts',
      'src/cli/main.ts',
      'dev/dev.ts',
      'dev/demo.ts',
      'test/run.ts',
      'bench/run.ts',
      'test/replay/record-histories.ts',
    ];
    for (const file of entries) {
      const firstImport = read(file)
        .split('\n')
        .find((line) => line.startsWith('import '));
      assert.match(firstImport ?? '', /^import '(\.\.\/)+(src\/)?lib\/check-node';$/, file);
    }
  });

  it('says so at start of the real CLI on this machine, and not again in a child process', () => {
    const run = (env: NodeJS.ProcessEnv) =>
      spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', '--help'], {
        cwd: root,
        env,
        encoding: 'utf8',
      });
    const { [NODE_CHECKED_ENV]: _parent, ...env } = process.env;
    const fresh = run(env);
    const expected = nodeSupport(process.version);
    if (expected.message) assert.ok(fresh.stderr.startsWith(`${expected.message}\n`), fresh.stderr);
    else assert.doesNotMatch(fresh.stderr, /Node\.js/);
    assert.match(fresh.stdout + fresh.stderr, /usage:/);
    const child = run({ ...env, [NODE_CHECKED_ENV]: process.version });
    assert.doesNotMatch(child.stderr, /supports Node\.js/);
  });

  it('engines, the Dockerfile and the README name the same lines', () => {
    const pkg = JSON.parse(read('package.json')) as { engines: { node: string } };
    assert.equal(pkg.engines.node, NODE_ENGINES);
    const dockerfile = read('Dockerfile');
    assert.match(dockerfile, new RegExp(`^ARG NODE_VERSION=${DOCKER_NODE_VERSION}$`, 'm'));
    assert.equal(nodeSupport(`v${DOCKER_NODE_VERSION}.0.0`).level, 'ok');
    // Every stage starts from the chosen Node line or from an earlier stage.
    const stages: string[] = [];
    for (const [, from, name] of dockerfile.matchAll(/^FROM (\S+)(?: AS (\S+))?$/gm)) {
      assert.ok(from!.startsWith('node:${NODE_VERSION}-') || stages.includes(from!), from);
      if (name) stages.push(name);
    }
    assert.ok(dockerfile.match(/^FROM /gm)!.length > 0);
    assert.match(read('README.md'), /Requirements: \*\*Node\.js 22 \(22\.13 or later\) or 24\*\*/);
  });
});
