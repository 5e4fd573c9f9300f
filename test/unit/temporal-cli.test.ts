// Finding or building the temporal CLI, and the errors a person sees when neither works.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ensureTemporalCli, temporalCacheDir } from '../../dev/temporal-cli';

function scratch(): string {
  return mkdtempSync(join(tmpdir(), 'azb-cli-'));
}

function script(dir: string, name: string, body: string): string {
  mkdirSync(dir, { recursive: true });
  const file = join(dir, name);
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
  return file;
}

describe('ensureTemporalCli', () => {
  it('prefers TEMPORAL_CLI and rejects one that is not executable', async () => {
    const dir = scratch();
    const cli = script(dir, 'temporal', 'exit 0');
    assert.deepEqual(await ensureTemporalCli({ env: { TEMPORAL_CLI: cli, PATH: '' } }), {
      kind: 'binary',
      path: cli,
      origin: 'TEMPORAL_CLI',
    });
    await assert.rejects(
      ensureTemporalCli({ env: { TEMPORAL_CLI: join(dir, 'missing'), PATH: '' } }),
      /TEMPORAL_CLI is set to .*missing, but no executable file is there/,
    );
  });

  it('then PATH, then the cache', async () => {
    const dir = scratch();
    const onPath = script(join(dir, 'bin'), 'temporal', 'exit 0');
    const env = { PATH: join(dir, 'bin'), AZBACKUP_CACHE_DIR: join(dir, 'cache') };
    assert.equal(((await ensureTemporalCli({ env })) as { path: string }).path, onPath);
    const cached = script(temporalCacheDir(env), 'temporal', 'exit 0');
    assert.deepEqual(await ensureTemporalCli({ env: { ...env, PATH: '' } }), {
      kind: 'binary',
      path: cached,
      origin: 'cache',
    });
  });

  it('builds into the cache with go install when Go is there, leaving no staging directory', async () => {
    const dir = scratch();
    // A stand-in for `go` that records its arguments and "builds" a binary into $GOBIN.
    script(join(dir, 'bin'), 'go', `echo "$@" > "${dir}/go-args"; /bin/cp /bin/true "$GOBIN/temporal"`);
    const env = { PATH: join(dir, 'bin'), AZBACKUP_CACHE_DIR: join(dir, 'cache'), HOME: dir };
    const messages: string[] = [];
    const cli = await ensureTemporalCli({ env, log: (m) => messages.push(m) });
    assert.deepEqual(cli, {
      kind: 'binary',
      path: join(temporalCacheDir(env), 'temporal'),
      origin: 'built with go install',
    });
    assert.match(
      spawnSync('cat', [join(dir, 'go-args')]).stdout.toString(),
      /^install github\.com\/temporalio\/cli\/cmd\/temporal@v1\.5\.1/,
    );
    assert.match(messages[0]!, /takes 2-6 minutes/);
    assert.deepEqual(readdirSync(temporalCacheDir(env)), ['temporal']);
  });

  it('explains a failed build with the output of go install', async () => {
    const dir = scratch();
    script(join(dir, 'bin'), 'go', 'echo "go: github.com/temporalio/cli@v1.5.1 requires go >= 1.25" >&2; exit 1');
    const env = { PATH: join(dir, 'bin'), AZBACKUP_CACHE_DIR: join(dir, 'cache'), HOME: dir };
    await assert.rejects(ensureTemporalCli({ env }), (err: Error) => {
      assert.match(err.message, /Building the temporal CLI failed \(go install exited with 1\)\. It needs Go >= 1\.25/);
      assert.match(err.message, /requires go >= 1\.25/);
      assert.match(err.message, /TEMPORAL_CLI=\/path\/to\/temporal/);
      return true;
    });
    assert.equal(existsSync(join(temporalCacheDir(env), 'temporal')), false);
  });

  it('falls back to the SDK download with neither a binary nor Go', async () => {
    const dir = scratch();
    assert.deepEqual(await ensureTemporalCli({ env: { PATH: dir, AZBACKUP_CACHE_DIR: dir } }), {
      kind: 'sdk-download',
    });
  });

  it('says exactly what to install when the SDK download fails too', () => {
    // A child process, so the native SDK sees a proxy on a closed port: the download fails
    // deterministically, with or without internet on the machine.
    const dir = scratch();
    const program = `require('./dev/temporal-server').startTemporalServer({ port: 1, uiPort: 2, namespace: 'default', logDir: ${JSON.stringify(dir)} })
      .then(() => process.exit(3), (e) => { console.log(e.message); process.exit(0); });`;
    const result = spawnSync(process.execPath, ['--import', 'tsx', '-e', program], {
      cwd: join(__dirname, '..', '..'),
      env: {
        ...process.env,
        PATH: '/nonexistent',
        TEMPORAL_CLI: '',
        AZBACKUP_CACHE_DIR: dir,
        HTTPS_PROXY: 'http://127.0.0.1:9',
        https_proxy: 'http://127.0.0.1:9',
      },
      encoding: 'utf8',
      timeout: 60_000,
    });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /No temporal CLI is available and the Temporal SDK could not download one/);
    assert.match(result.stdout, /Go >= 1\.25/);
    assert.match(result.stdout, /TEMPORAL_CLI=\/path\/to\/temporal/);
  });
});
