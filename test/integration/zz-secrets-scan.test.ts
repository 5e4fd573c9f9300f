// Secrets never reach a workflow history or anything azbackup prints. Runs last in `npm test`'s order (but
// files run two at a time: test/run.ts repeats the history scan after the last file). The scanner is first
// shown to find a real key, a real SAS and a canary planted in a real history's input, memo, search
// attributes and failure; then a worker process (with a SAS connection and an expired one) and the CLI
// run a backup through the SAS, fail on the expired SAS and fail a restore, and their output, the
// worker's log and every history on the stack are scanned.
import {
  AccountSASPermissions,
  AccountSASResourceTypes,
  AccountSASServices,
  generateAccountSASQueryParameters,
  SASProtocol,
  StorageSharedKeyCredential,
} from '@azure/storage-blob';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seedBlobs } from '../../dev/seed';
import { startWorkerProcess } from '../../dev/worker-process';
import { parseConnectionString } from '../../src/config/connection-string';
import { ConnectionRegistry } from '../../src/storage/connections';
import { backupContainer } from '../../src/workflows/backup-container';
import { configSecrets, describeFindings, findSecrets, sasSecrets, scanHistories, scanValue } from '../support/secrets';
import { rootApplicationFailure } from '../support/failures';
import { stackConfig, stackInfo, startTestWorker, uniqueName, type TestWorker } from '../support/stack';
import { cli } from '../support/cli';

const sourceConnectionString = (stackConfig().connections.source as { connectionString: string }).connectionString;
const source = parseConnectionString(sourceConnectionString);

/** An account SAS for the source account, valid from `fromMs` to `untilMs` (relative to now). */
function sourceSas(fromMs: number, untilMs: number): string {
  return generateAccountSASQueryParameters(
    {
      startsOn: new Date(Date.now() + fromMs),
      expiresOn: new Date(Date.now() + untilMs),
      permissions: AccountSASPermissions.parse('rwlac'),
      resourceTypes: AccountSASResourceTypes.parse('sco').toString(),
      services: AccountSASServices.parse('b').toString(),
      protocol: SASProtocol.HttpsAndHttp,
    },
    new StorageSharedKeyCredential(source.accountName, source.accountKey!),
  ).toString();
}

describe('secrets never reach histories or output', () => {
  const sas = sourceSas(-300_000, 3600_000);
  const expiredSas = sourceSas(-7200_000, -3600_000);
  // Two more connections for the source account, given to the worker process and the CLI by environment.
  const env = {
    AZBACKUP__connections__viasas__kind: 'blob',
    AZBACKUP__connections__viasas__accountUrl: `${source.blobEndpoint}/`,
    AZBACKUP__connections__viasas__sasToken: sas,
    AZBACKUP__connections__expired__kind: 'blob',
    AZBACKUP__connections__expired__accountUrl: `${source.blobEndpoint}/`,
    AZBACKUP__connections__expired__sasToken: expiredSas,
  };
  const secrets = [
    ...configSecrets(stackConfig()),
    ...sasSecrets('AZBACKUP__connections__viasas__sasToken', sas),
    ...sasSecrets('AZBACKUP__connections__expired__sasToken', expiredSas),
  ];
  const own = new ConnectionRegistry(stackConfig().connections);
  const container = uniqueName('secrets');
  const bk = uniqueName('bk-secrets');
  let w: TestWorker;
  before(async () => {
    w = await startTestWorker();
  });
  after(async () => {
    own.close();
    await w?.stop();
  });
  const ourWorkflows: string[] = [];

  it('the scanner finds a real key, a real SAS, and a canary in a real history, naming where', async () => {
    const fields = new Set(secrets.map((s) => s.field));
    for (const field of [
      'connections.source.connectionString (AccountKey)',
      'connections.backup.connectionString (AccountKey)',
      'connections.cosmos.key',
      'connections.adf.credential.token',
    ])
      assert.ok(fields.has(field), `the secrets include ${field}`);
    const key = source.accountKey!;
    const leak = `Error: request failed: DefaultEndpointsProtocol=http;AccountName=source;AccountKey=${key}`;
    assert.deepEqual(findSecrets(leak, secrets), ['connections.source.connectionString (AccountKey)']);
    assert.deepEqual(findSecrets(`key=${encodeURIComponent(key)}`, secrets), [
      'connections.source.connectionString (AccountKey)',
    ]);
    // A SAS the product itself signs (as for every copy), and a sanitized one, which is no leak.
    const blob = own.blob('source').service.getContainerClient(container).getBlobClient('x');
    const readUrl = await own.blob('source').readUrl(blob);
    assert.deepEqual(findSecrets(readUrl, secrets), ['a SAS signature (sig=)', 'a SAS token (sv=20.. with se=)']);
    assert.deepEqual(findSecrets(`${blob.url}?sv=2025-01-05&sig=REDACTED`, secrets), []);
    assert.deepEqual(findSecrets('Config OK. Temporal 127.0.0.1:7233, namespace default', secrets), []);

    // A canary (no real secret: the post-suite scan does not look for it) in a real history.
    const canary = `Canary-${uniqueName('x')}`;
    const workflowId = uniqueName('wf-canary');
    const failed = await w.client.workflow
      .execute(backupContainer, {
        taskQueue: w.taskQueue,
        workflowId,
        args: [{ source: 'source', container: canary, backup: 'backup' }],
        memo: { note: canary },
        searchAttributes: { BackupSource: [canary] },
      })
      .then(
        () => false,
        () => true,
      );
    assert.ok(failed, 'an uppercase container name fails the workflow (its message quotes the value)');
    const scan = await scanHistories(w.client, [{ field: 'canary', value: canary }], {
      query: `WorkflowId = '${workflowId}'`,
    });
    assert.equal(scan.histories, 1);
    assert.ok(scan.payloads > 0);
    const where = scan.findings.map((f) => f.where).join('\n');
    for (const place of [
      /EVENT_TYPE_WORKFLOW_EXECUTION_STARTED.*\.input\.payloads\[0\]\.data/,
      /EVENT_TYPE_WORKFLOW_EXECUTION_STARTED.*\.memo\./,
      /EVENT_TYPE_WORKFLOW_EXECUTION_STARTED.*\.searchAttributes\./,
      /EVENT_TYPE_WORKFLOW_EXECUTION_FAILED.*\.failure\.message/,
      /visibility\.memo\./,
    ])
      assert.match(where, place);
    assert.ok(scan.findings.every((f) => f.secret === 'canary'));
    // And a payload built here: bytes are decoded, paths are named.
    const payload = { metadata: { encoding: Buffer.from('json/plain') }, data: Buffer.from(JSON.stringify({ key })) };
    const built = scanValue({ payloads: [payload] }, 'built', secrets);
    assert.deepEqual(built, {
      payloads: 1,
      findings: [{ secret: 'connections.source.connectionString (AccountKey)', where: 'built.payloads[0].data' }],
    });
  });

  it('a worker process log and the CLI output (config check, backup --wait, failures) hold no secret', async () => {
    await seedBlobs(own.blob('source').service.getContainerClient(container), { count: 5 });
    const taskQueue = uniqueName('tq-secrets');
    const logFile = join(mkdtempSync(join(tmpdir(), 'azb-secrets-')), 'worker.log');
    const worker = await startWorkerProcess({
      configFile: stackInfo().configFile,
      taskQueue,
      logFile,
      env,
      name: 'secrets worker',
    });
    const outputs: { what: string; out: string }[] = [];
    const run = async (what: string, args: string[], code: number, says: RegExp) => {
      const r = await cli(args, env);
      outputs.push({ what, out: r.out });
      assert.equal(r.code, code, `${what}: ${r.out}`);
      assert.match(r.out, says, what);
    };
    const at = ['--container', container, '--backup', 'backup', '--backup-container', bk];
    const started = ['--task-queue', taskQueue, '--wait'];
    try {
      await run('config check', ['config', 'check'], 0, /connection viasas: blob/);
      await run(
        'backup through a SAS connection',
        ['backup', '--source', 'viasas', ...at, ...started],
        0,
        /Done: listed 5, new 5, .* copied 5, .*verified/,
      );
      ourWorkflows.push(`backup-viasas-${container}`);
      // Refused by the account: the run fails for good, saying so without the SAS (checked below).
      await run('backup through an expired SAS', ['backup', '--source', 'expired', ...at, ...started], 1, /azbackup: /);
      ourWorkflows.push(`backup-expired-${container}`);
      const to = uniqueName('to');
      await run(
        'restore as of a time before the first run',
        ['restore', '--source', 'source', ...at, '--as-of', '2001-01-01T00:00:00Z', '--to', `backup/${to}`, ...started],
        1,
        /azbackup: /,
      );
      ourWorkflows.push(`restore-backup-${to}`);
    } finally {
      await worker.stop();
    }
    const failures = await Promise.all(
      ourWorkflows.slice(1).map((id) =>
        w.client.workflow
          .getHandle(id)
          .result()
          .then(
            () => assert.fail(`${id} should have failed`),
            (err: unknown) => rootApplicationFailure(err),
          ),
      ),
    );
    assert.deepEqual(
      failures.map((f) => [f?.type, f?.nonRetryable]),
      [
        ['AccessDenied', true],
        ['InvalidInput', true],
      ],
    );
    assert.match(failures[0]!.message, /refused this connection's credential/);
    assert.match(failures[1]!.message, /asOf is before the first backup run/);
    const log = readFileSync(logFile, 'utf8');
    assert.match(log, /azbackup worker polling/);
    const findings = [
      ...outputs.flatMap(({ what, out }) => findSecrets(out, secrets).map((secret) => ({ secret, where: what }))),
      ...findSecrets(log, secrets).map((secret) => ({ secret, where: `worker log ${logFile}` })),
    ];
    console.log(
      `secrets scan: ${outputs.length} CLI outputs (${outputs.reduce((n, o) => n + o.out.length, 0)} chars) and a worker log (${log.length} chars)`,
    );
    assert.deepEqual(findings, [], `secrets in output:\n${describeFindings(findings)}`);
  });

  it('config check does not echo a connection string set where a connection belongs', async () => {
    // A plausible mistake: the whole connection string as AZBACKUP__connections__backup.
    const backupString = (stackConfig().connections.backup as { connectionString: string }).connectionString;
    const r = await cli(['config', 'check'], { AZBACKUP__connections__backup: backupString });
    assert.equal(r.code, 1, r.out);
    assert.match(r.out, /connections\.backup/);
    const findings = findSecrets(r.out, secrets).map((secret) => ({ secret, where: 'config check' }));
    assert.deepEqual(findings, [], `secrets in output:\n${describeFindings(findings)}`);
  });

  it('no workflow history on the stack holds a secret', async () => {
    const scan = await scanHistories(w.client, secrets);
    console.log(
      `secrets scan: scanned ${scan.histories} histories, ${scan.events} events, ${scan.payloads} payloads: ` +
        `${scan.findings.length ? `${scan.findings.length} finding(s)` : 'no secrets'}`,
    );
    assert.ok(scan.histories > 0 && scan.payloads > 0, 'a scan of nothing proves nothing');
    for (const id of ourWorkflows) assert.ok(scan.workflowIds.has(id), `the scan saw ${id}`);
    assert.deepEqual(scan.findings, [], `secrets in histories:\n${describeFindings(scan.findings)}`);
  });
});
