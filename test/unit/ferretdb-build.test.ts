// Finding or building FerretDB (the dev stack's MongoDB wire server), with a stand-in for `go`: the order it
// looks in, one build for concurrent callers, a rebuild when dev/ferretdb's sources change, and the errors a
// person sees when there is no Go or the build fails. The real build and server: test/integration/mongo-server.
import assert from 'node:assert/strict';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ensureFerretDb, ferretDbCacheDir, FERRETDB_MODULE_DIR } from '../../dev/ferretdb';

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'azb-ferretdb-'));
}

function script(dir: string, name: string, body: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

/** A `go` that logs each call (arguments, directory, GOTOOLCHAIN) and "builds" by copying /bin/true to -o. */
function fakeGo(dir: string, delaySeconds = 0): { env: NodeJS.ProcessEnv; calls: () => string[] } {
  const calls = join(dir, 'go-calls');
  script(
    join(dir, 'bin'),
    'go',
    `echo "$* | $(pwd) | GOTOOLCHAIN=$GOTOOLCHAIN GOWORK=$GOWORK" >> "${calls}"; sleep ${delaySeconds}; /bin/cp /bin/true "$5"`,
  );
  return {
    env: { PATH: join(dir, 'bin'), AZBACKUP_CACHE_DIR: join(dir, 'cache'), HOME: dir },
    calls: () => (existsSync(calls) ? readFileSync(calls, 'utf8').trim().split('\n') : []),
  };
}

describe('ensureFerretDb', () => {
  it('prefers AZBACKUP_FERRETDB and rejects one that is not executable', async () => {
    const dir = scratch();
    const binary = script(dir, 'ferretdb', 'exit 0');
    assert.deepEqual(await ensureFerretDb({ env: { AZBACKUP_FERRETDB: binary, PATH: '' } }), {
      path: binary,
      origin: 'AZBACKUP_FERRETDB',
    });
    await assert.rejects(
      ensureFerretDb({ env: { AZBACKUP_FERRETDB: join(dir, 'missing'), PATH: '' } }),
      /AZBACKUP_FERRETDB is set to .*missing, but no executable file is there/,
    );
  });

  it('caches under AZBACKUP_CACHE_DIR, else XDG_CACHE_HOME, else ~/.cache, per version', () => {
    assert.equal(ferretDbCacheDir({ AZBACKUP_CACHE_DIR: '/c' }), '/c/ferretdb-v1.24.0');
    assert.equal(ferretDbCacheDir({ XDG_CACHE_HOME: '/x' }), '/x/azbackup/ferretdb-v1.24.0');
    assert.match(ferretDbCacheDir({}), /\/\.cache\/azbackup\/ferretdb-v1\.24\.0$/);
  });

  it('builds dev/ferretdb into the cache once, then finds it there, leaving no staging directory', async () => {
    const dir = scratch();
    const go = fakeGo(dir);
    const messages: string[] = [];
    const built = await ensureFerretDb({ env: go.env, log: (m) => messages.push(m) });
    const binary = join(ferretDbCacheDir(go.env), 'ferretdb');
    assert.deepEqual(built, { path: binary, origin: 'built with go build' });
    assert.equal(go.calls().length, 1);
    const [args, cwd, vars] = go.calls()[0]!.split(' | ');
    const staging = `${ferretDbCacheDir(go.env).replace(/[.]/g, '\\.')}/\\.build-[^/]+/ferretdb`;
    assert.match(args!, new RegExp(`^build -trimpath -buildvcs=false -o ${staging} \\.$`), 'a private staging dir');
    assert.equal(cwd, FERRETDB_MODULE_DIR);
    assert.equal(vars, 'GOTOOLCHAIN=local GOWORK=off');
    assert.match(messages[0]!, /^Building FerretDB v1\.24\.0 .* takes about 2 minutes on 2 cores\.$/);
    assert.match(messages.at(-1)!, /^Built FerretDB in \d+ s: /);
    assert.deepEqual(readdirSync(ferretDbCacheDir(go.env)).sort(), ['ferretdb', 'ferretdb.sources-sha256']);

    assert.deepEqual(await ensureFerretDb({ env: go.env }), { path: binary, origin: 'cache' });
    assert.equal(go.calls().length, 1, 'no second build');
  });

  it('rebuilds a cached binary built from other sources', async () => {
    const dir = scratch();
    const go = fakeGo(dir);
    await ensureFerretDb({ env: go.env });
    writeFileSync(join(ferretDbCacheDir(go.env), 'ferretdb.sources-sha256'), 'sources of an older main.go');
    const messages: string[] = [];
    assert.equal((await ensureFerretDb({ env: go.env, log: (m) => messages.push(m) })).origin, 'built with go build');
    assert.equal(go.calls().length, 2);
    assert.match(messages[0]!, /its sources changed since the cached build/);
  });

  it('builds once for callers that ask at the same time', async () => {
    const dir = scratch();
    const go = fakeGo(dir, 0.3);
    const results = await Promise.all([1, 2, 3].map(() => ensureFerretDb({ env: go.env })));
    assert.equal(go.calls().length, 1);
    assert.ok(results.every((r) => r.path === results[0]!.path));
  });

  it('says what to install when there is no Go', async () => {
    const dir = scratch();
    await assert.rejects(
      ensureFerretDb({ env: { PATH: join(dir, 'empty'), AZBACKUP_CACHE_DIR: dir } }),
      (err: Error) => {
        assert.match(err.message, /FerretDB \(the dev stack's MongoDB server\) is not built yet/);
        assert.match(err.message, /no Go toolchain on PATH/);
        assert.match(err.message, /Install Go >= 1\.22 \(https:\/\/go\.dev\/dl\//);
        assert.match(err.message, /AZBACKUP_FERRETDB=\/path\/to\/ferretdb/);
        return true;
      },
    );
  });

  it('explains a failed build with the output of go build, and leaves nothing in the cache', async () => {
    const dir = scratch();
    script(
      join(dir, 'bin'),
      'go',
      'echo "go: go.mod requires go >= 1.22 (running go 1.19; GOTOOLCHAIN=local)" >&2; exit 1',
    );
    const env = { PATH: join(dir, 'bin'), AZBACKUP_CACHE_DIR: join(dir, 'cache'), HOME: dir };
    await assert.rejects(ensureFerretDb({ env }), (err: Error) => {
      assert.match(err.message, /Building FerretDB failed \(go build exited with 1\)\. It needs Go >= 1\.22/);
      assert.match(err.message, /requires go >= 1\.22 \(running go 1\.19/);
      return true;
    });
    assert.deepEqual(readdirSync(ferretDbCacheDir(env)), []);
  });
});
