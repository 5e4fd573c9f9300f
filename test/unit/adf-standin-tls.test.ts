// The ADF stand-in as docker-compose.yml starts it: it keeps its own certificate in --tls-dir, naming
// --tls-hostname (the compose service the worker reaches), and serves HTTPS that a client trusting
// exactly that file accepts under that name.
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ensureLocalCertificate } from '../../dev/certs';
import { ManagedProcess } from '../../dev/managed-process';
import { findFreePorts } from '../../dev/ports';

const root = join(__dirname, '..', '..');

describe('ADF stand-in --tls-dir', () => {
  it('writes a certificate naming --tls-hostname and serves HTTPS with it', { timeout: 120_000 }, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'azb-standin-tls-'));
    const [port] = await findFreePorts(1);
    const standin = new ManagedProcess({
      name: 'ADF stand-in',
      command: process.execPath,
      args: [
        '--import',
        'tsx',
        'dev/adf-standin/main.ts',
        '--port',
        String(port),
        '--tls-dir',
        join(dir, 'tls'),
      ].concat(['--tls-hostname', 'adf-standin']),
      logFile: join(dir, 'standin.log'),
      cwd: root,
    });
    try {
      for (
        const deadline = Date.now() + 90_000;
        !/listening on/.test(readFileSync(join(dir, 'standin.log'), 'utf8'));
      ) {
        assert.ok(!standin.hasExited && Date.now() < deadline, standin.describeExit());
        await new Promise((r) => setTimeout(r, 200));
      }
      const ca = readFileSync(join(dir, 'tls', 'local-ca.pem'), 'utf8');
      assert.equal(new X509Certificate(ca).checkHost('adf-standin'), 'adf-standin');
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(
          { host: '127.0.0.1', port, path: '/subscriptions/x', ca, servername: 'adf-standin' },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        );
        req.on('error', reject);
        req.end();
      });
      assert.ok(status >= 400, 'an ARM error for a bad path, over a TLS connection the client trusted');
    } finally {
      await standin.stop();
    }
  });

  it('makes a new certificate when the kept one does not name a wanted host', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'azb-cert-'));
    const first = await ensureLocalCertificate(dir);
    assert.equal(new X509Certificate(first.cert).checkHost('adf-standin'), undefined);
    assert.equal((await ensureLocalCertificate(dir)).cert, first.cert, 'kept while it names what is wanted');
    const second = await ensureLocalCertificate(dir, ['adf-standin']);
    assert.notEqual(second.cert, first.cert);
    assert.equal(new X509Certificate(second.cert).checkHost('adf-standin'), 'adf-standin');
    assert.equal(new X509Certificate(second.cert).checkHost('localhost'), 'localhost');
  });
});
