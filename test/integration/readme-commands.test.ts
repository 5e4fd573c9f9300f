// README.md's shell commands, executed as a reader would run them, so the guide cannot rot. Every ```sh
// command (and each `npx azbackup …` offered in a comment) is either run here with an expected outcome or
// listed in NOT_RUN_HERE with the reason. The plan check fails first when a README command has no
// expectation, or when a substitution or allow-list entry no longer matches the README.
//
// To cover a new README command, add one line: a workflow type to WORKFLOW_RESULTS (a `temporal workflow
// start` or `temporal schedule create` of it), a subcommand to CLI_OUTPUT (`npx azbackup <sub>`), a
// pattern to OTHER_COMMANDS, or, when it cannot run on the local stack, an entry in NOT_RUN_HERE.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { spawn } from 'node:child_process';
import { seedBlobs } from '../../dev/seed';
import { ManagedProcess } from '../../dev/managed-process';
import { ConnectionRegistry } from '../../src/storage/connections';
import { readmeCommands, type ReadmeCommand } from '../support/readme-shell';
import { stackConfig, stackInfo, uniqueName } from '../support/stack';
import { cliWorkflowResult, temporalEnv, temporalOk } from '../support/temporal-cli';

const root = join(__dirname, '..', '..');

/** What the commands act on in this run; checks may record what later commands need. */
interface Ctx {
  queue: string;
  container: string;
  database: string;
  blobs: number;
  prefixed: number;
  cosmosDocs: number;
  mongoDocs: number;
  cosmosAccount?: string;
  mongoAccount?: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- results of many workflow types, checked by field
type Result = any;

/** Per workflow type: what its result must show (for `temporal workflow start` and a schedule's run). */
const WORKFLOW_RESULTS: Record<string, (r: Result, c: Ctx) => void> = {
  backupContainer: (r, c) => assert.deepEqual([r.listed, r.failed, r.verified], [c.blobs, 0, true]),
  reconcileContainer: (r, c) => assert.deepEqual([r.listed, r.failed, r.verified], [c.blobs, 0, true]),
  restoreContainer: (r, c) =>
    assert.deepEqual([r.matched, r.restored + r.skipped, r.failed], [c.prefixed, c.prefixed, 0]),
  applyRetention: (r) => assert.deepEqual([r.dryRun, r.runsKept >= 3], [false, true]),
  scrubBackup: (r, c) => assert.deepEqual([r.checked, r.mismatched, r.missing], [c.blobs, 0, 0]),
  // `temporal workflow result` prints an empty list as null.
  restoreDrill: (r, c) => assert.deepEqual([r.restored, r.mismatches ?? []], [c.blobs, []]),
  backupCosmosContainer: (r, c) => {
    assert.equal(r.documents, c.cosmosDocs);
    c.cosmosAccount = r.account;
  },
  restoreCosmos: (r, c) => assert.deepEqual([r.read, r.upserted], [c.cosmosDocs, c.cosmosDocs]),
  backupMongoCollection: (r, c) => {
    assert.equal(r.documents, c.mongoDocs);
    c.mongoAccount = r.account;
  },
  restoreMongo: (r, c) => assert.deepEqual([r.read, r.upserted], [c.mongoDocs, c.mongoDocs]),
};

/** Per `npx azbackup` subcommand: a line its output must hold (it must also exit 0). */
const CLI_OUTPUT: Record<string, (c: Ctx) => RegExp> = {
  backup: (c) => new RegExp(`Done: listed ${c.blobs}, .*; verified\\.`),
  runs: (c) => new RegExp(`\\s${c.blobs}\\s+\\d+\\s+\\d+\\s+\\d+\\s+0\\s+yes$`, 'm'),
  ls: () => /^\s+\d+\s+\S+\s+2026\/11\/item-000000\.json$/m,
  restore: (c) => new RegExp(`${c.prefixed} matched, ${c.prefixed} restored, 0 skipped, 0 failed`),
  // How many runs it would forget depends on the runs the schedules above started; a dry run deletes nothing.
  retention: () =>
    /Done \(dry run: nothing deleted\): \d+ runs kept, \d+ removed.*; \d+ objects unreferenced, 0 deleted/,
  drill: (c) => new RegExp(`Drill passed: .*: ${c.blobs} sampled, ${c.blobs} restored`),
  'backup cosmos': () => /^export \S+ to \S+: \d+ windows, \d+ documents/m,
  'runs cosmos': (c) => new RegExp(`\\s${c.cosmosDocs}\\s+\\d+\\s*$`, 'm'),
  'restore cosmos': (c) =>
    new RegExp(`^restored as of \\S+: \\d+ windows from \\d+ run\\(s\\), ${c.cosmosDocs} documents`, 'm'),
  'backup mongo': () => /^export \S+ to \S+: \d+ windows, \d+ documents/m,
  // Deploys to the stack's ADF stand-in; the bulk run after it moves its pages through that factory.
  'adf deploy': () => /^Factory \S+: \d+ created, \d+ updated, \d+ unchanged\. Pipelines: .*azbackup-copy-blobs/m,
  'schedule create': () => /^Created schedule \S+: .*, overlap skip\.$/m,
  'schedule list': (c) => new RegExp(`^${c.container}-6h\\s+backupContainer\\s+active`, 'm'),
  'schedule describe': (c) => new RegExp(`^Schedule ${c.container}-6h \\(made by schedule create\\)`, 'm'),
  'schedule trigger': (c) => new RegExp(`^Triggered ${c.container}-6h \\(overlap skip\\)`, 'm'),
  'schedule pause': (c) => new RegExp(`^Schedule ${c.container}-6h paused: storage maintenance`, 'm'),
  'schedule unpause': (c) => new RegExp(`^Schedule ${c.container}-6h unpaused`, 'm'),
  'schedule backfill': () => /^Backfilling \S+ from 2026-11-30T00:00:00\.000Z to 2026-11-30T12:00:00\.000Z/m,
  'schedule delete': (c) => new RegExp(`^Deleted schedule ${c.container}-scrub\\b`, 'm'),
  // The test's config declares no schedules: apply plans nothing and changes nothing.
  'schedule apply': () => /^(Dry run: nothing changed|Applied: 0 created, 0 updated, 0 deleted, 0 unchanged)\.$/m,
};

/** Other commands, by pattern: how to judge their run. */
const OTHER_COMMANDS: { pattern: RegExp; expect: (out: string) => void }[] = [
  {
    // The dev server has them already (the stack registers them at start): creating them again succeeds.
    pattern: /^for a in [\w ]+; do\s+temporal operator search-attribute create --name \$a --type Keyword\s+done$/,
    expect: (out) => assert.equal(out.match(/Search attributes have been added/g)?.length, 4, out),
  },
];

/** README commands not run here, each with the reason. */
const NOT_RUN_HERE: Record<string, string> = {
  'npm ci && npm run demo': 'CI runs it from a clean clone (.ci/run); here the stack is already up',
  'npm test': 'this test is part of it',
  'npm run bundle && npm start':
    'the compiled worker: build.test.ts compiles one and runs a backup on it; here `npm run worker` serves the commands',
  // Covered by the tests named (they need a held run, a database or the reader's paths); not run twice here.
  'npx azbackup status backup-source-photos --watch':
    'status and progress of a running backup: cli-status.test.ts (bar inside a page, --watch to the outcome, --json, exit 3)',
  'npx azbackup progress backup-source-photos': 'as above: cli-status.test.ts reads the progress of a held backup',
  'npx azbackup status backup-source-photos --json': 'as above: cli-status.test.ts checks status --json',
  'npx azbackup notify --source source --container photos --backup backup --prefix 2026/12/01/ --requested-by ingest':
    'triggers.test.ts runs notify during a held backup and checks the one follow-up run',
  'npx azbackup notify --source source --container photos --backup backup --blob a.jpg --blob b.jpg --json':
    'as above: triggers.test.ts',
  'temporal workflow signal-with-start --task-queue azbackup --type backupTrigger --workflow-id trigger/source/photos \\\n  --input \'{"source":"source","container":"photos","backup":"backup"}\' \\\n  --signal-name backupRequested --signal-input \'{"prefix":"2026/12/01/","requestedBy":"ingest"}\'':
    'triggers.test.ts sends backupRequested by signal-with-start and checks the coalesced runs',
  'temporal workflow start --task-queue azbackup --type runBackupPipeline --workflow-id pg-app \\\n  --input \'{"name":"app-db","source":{"kind":"command","command":["pg_dump","-Fc","-d","app"]},\n            "filters":[{"kind":"aes-256-gcm","key":"prod"}],"sink":{"kind":"blob","connection":"backup","container":"pipelines"}}\'':
    'needs a database named app: pipeline-postgres.test.ts runs this round trip on a throwaway PostgreSQL cluster',
  'temporal workflow start --task-queue azbackup --type restorePipelineBackup --workflow-id pg-app-restore \\\n  --input \'{"name":"app-db","sink":{"kind":"blob","connection":"backup","container":"pipelines"},\n            "target":{"kind":"command","command":["pg_restore","--single-transaction","--exit-on-error","-d","app_restored"]}}\'':
    'as above: pipeline-postgres.test.ts',
  'npx azbackup pipeline backup --name app-db --backup backup --backup-container pipelines --gzip none \\\n--key prod --wait -- pg_dump -Fc -d app':
    'as above: pipeline-postgres.test.ts; pipeline-cli.test.ts runs the pipeline commands',
  'npx azbackup pipeline backup --name home --dir /home/me --store-dir /mnt/usb/backups --key prod --wait':
    "paths of the reader's machine: pipeline-cli.test.ts runs the same commands on a temp directory and store",
  'npx azbackup pipeline restore --name home --store-dir /mnt/usb/backups --to-dir /tmp/home-restored --wait':
    'as above: pipeline-cli.test.ts',
  'npx azbackup pipeline restore --name home --store-dir /mnt/usb/backups --verify --wait   # a drill':
    'as above: pipeline-cli.test.ts',
  'npx azbackup pipeline retention --name home --store-dir /mnt/usb/backups --keep-daily 7 --wait':
    'as above: pipeline-cli.test.ts',
};

/** Edits turning the README's names into this run's; each must still match a README command. */
const SUBSTITUTIONS: { from: RegExp; to: (c: Ctx, command: string) => string; why: string }[] = [
  {
    from: /--task-queue azbackup\b/g,
    to: (c) => `--task-queue ${c.queue}`,
    why: "the README's worker polls this run's queue",
  },
  { from: /\bphotos-restored\b/g, to: (c) => `${c.container}-restored`, why: 'a fresh restore target' },
  { from: /\bphotos\b/g, to: (c) => c.container, why: 'the container seeded here (ids follow it)' },
  { from: /2026-11-20T12:00:00Z/g, to: () => new Date().toISOString(), why: 'a time after the runs made here' },
  {
    from: /"encryptionKey":"prod"/g,
    to: () => '"encryptionKey":"local","settleSeconds":0',
    why: "the stack's key is named local; documents seeded a second ago are younger than the 300 s settle delay",
  },
  { from: /\bshop\b/g, to: (c) => c.database, why: 'a database of this run' },
  {
    from: /\bmyacct\b/g,
    to: (c, command) => (/mongo/.test(command) ? c.mongoAccount : c.cosmosAccount) ?? 'unknown-before-export',
    why: 'the account name the local export recorded',
  },
  {
    from: /"policy":\{/g,
    to: () => '"gracePeriodMs":5000,"policy":{',
    why: 'the default grace period between mark and sweep is an hour-long timer',
  },
  {
    from: /^npx azbackup\b/g,
    to: () => `node --import tsx ${join(root, 'src/cli/main.ts')}`,
    why: 'the CLI from source: tests do not build dist/',
  },
];

type Step =
  | { kind: 'skip'; command: ReadmeCommand; reason: string }
  | { kind: 'worker'; command: ReadmeCommand }
  | { kind: 'workflow' | 'schedule'; command: ReadmeCommand; type: string }
  | { kind: 'cli'; command: ReadmeCommand; subcommand: string }
  | { kind: 'other'; command: ReadmeCommand; expect: (out: string) => void };

/** Every README command's step, and every reason the plan is incomplete or stale. */
function planReadme(markdown: string): { steps: Step[]; problems: string[] } {
  const commands = readmeCommands(markdown);
  const steps: Step[] = [];
  const problems: string[] = [];
  const where = (c: ReadmeCommand) => `README.md:${c.line} \`${c.text.split('\n')[0]}\``;
  for (const command of commands) {
    const text = command.text;
    const type = /--type (\w+)/.exec(text)?.[1];
    // The subcommand: its first word, and its second unless that is a flag (`backup cosmos`, `schedule create`).
    const sub = /^npx azbackup ([\w-]+)(?:\s+([a-z][\w-]*))?/.exec(text);
    const other = OTHER_COMMANDS.find((o) => o.pattern.test(text));
    if (NOT_RUN_HERE[text]) steps.push({ kind: 'skip', command, reason: NOT_RUN_HERE[text] });
    else if (text === 'npm run worker') steps.push({ kind: 'worker', command });
    else if (/^temporal (workflow start|schedule create)\b/.test(text)) {
      const kind = text.startsWith('temporal workflow') ? 'workflow' : 'schedule';
      if (type && WORKFLOW_RESULTS[type]) steps.push({ kind, command, type });
      else problems.push(`${where(command)}: workflow type ${type} has no expected result in WORKFLOW_RESULTS`);
    } else if (sub) {
      const subcommand = sub[2] ? `${sub[1]} ${sub[2]}` : sub[1]!;
      if (CLI_OUTPUT[subcommand]) steps.push({ kind: 'cli', command, subcommand });
      else problems.push(`${where(command)}: azbackup ${subcommand} has no expected output in CLI_OUTPUT`);
    } else if (other) steps.push({ kind: 'other', command, expect: other.expect });
    else problems.push(`${where(command)}: no expectation (add one, or list it in NOT_RUN_HERE with the reason)`);
  }
  for (const s of SUBSTITUTIONS)
    if (!commands.some((c) => new RegExp(s.from.source, s.from.flags.replace('g', '')).test(c.text)))
      problems.push(`substitution ${s.from} (${s.why}) matches no README command any more`);
  for (const text of Object.keys(NOT_RUN_HERE))
    if (!commands.some((c) => c.text === text))
      problems.push(`NOT_RUN_HERE lists \`${text}\`, no README command any more`);
  return { steps, problems };
}

function substitute(text: string, c: Ctx): string {
  return SUBSTITUTIONS.reduce((t, s) => t.replace(s.from, () => s.to(c, t)), text);
}

function bash(script: string, env: NodeJS.ProcessEnv): Promise<{ code: number | null; out: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', ['-c', script], { cwd: root, env });
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out }));
  });
}

const README = readFileSync(join(root, 'README.md'), 'utf8');

describe("README.md's commands", () => {
  it('every command has an expectation, and every substitution and exception still matches the README', () => {
    const { steps, problems } = planReadme(README);
    assert.deepEqual(problems, []);
    assert.ok(steps.filter((s) => s.kind !== 'skip').length >= 20, 'the README holds the commands this test runs');
  });

  it('the plan check names an unknown command, workflow type and subcommand, and a stale substitution', () => {
    const edited =
      README.replace(/myacct/g, 'acct') +
      '\n```sh\naz storage blob list\n' +
      "temporal workflow start --task-queue azbackup --type frobnicate --input '{}'\n" +
      'npx azbackup frobnicate --now\n```\n';
    const { problems } = planReadme(edited);
    const text = problems.join('\n');
    assert.match(text, /`az storage blob list`: no expectation/);
    assert.match(text, /workflow type frobnicate has no expected result/);
    assert.match(text, /azbackup frobnicate has no expected output/);
    assert.match(text, /substitution \/\\bmyacct\\b\/g .* matches no README command/);
    assert.equal(problems.length, 4, text);
  });

  describe('run on the local stack, in README order', () => {
    const ctx: Ctx = {
      queue: uniqueName('tq-readme'),
      container: uniqueName('readme'),
      database: uniqueName('shop').replace(/-/g, '_'),
      blobs: 15,
      prefixed: 10,
      cosmosDocs: 8,
      mongoDocs: 6,
    };
    const configFile = join(stackInfo().dataDir, `${ctx.queue}.yaml`);
    const env = { ...temporalEnv(), AZBACKUP_CONFIG: configFile };
    let worker: ManagedProcess | undefined;

    before(async () => {
      const base = stackInfo().config;
      // JSON is YAML: the stack's config, with this run's task queue.
      writeFileSync(configFile, JSON.stringify({ ...base, temporal: { ...base.temporal, taskQueue: ctx.queue } }));
      const connections = new ConnectionRegistry(stackConfig().connections);
      const photos = connections.blob('source').service.getContainerClient(ctx.container);
      await seedBlobs(photos, { count: ctx.prefixed, prefix: '2026/11/' });
      await seedBlobs(photos, { count: ctx.blobs - ctx.prefixed, prefix: 'other/' });
      const { database } = await connections.cosmos('cosmos').databases.createIfNotExists({ id: ctx.database });
      const { container: orders } = await database.containers.createIfNotExists({
        id: 'orders',
        partitionKey: { paths: ['/tenant'] },
      });
      for (let i = 0; i < ctx.cosmosDocs; i++) await orders.items.upsert({ id: `o-${i}`, tenant: `t${i % 2}`, n: i });
      const events = connections.mongo('mongo').db(ctx.database).collection('events');
      await events.insertMany(
        [...Array(ctx.mongoDocs).keys()].map((n) => ({ n, tag: randomBytes(2).toString('hex') })),
      );
      await sleep(1100); // settleSeconds 0 still leaves `to` in a past second
      connections.close();
    });
    after(() => worker?.stop());

    const run = async (step: Step): Promise<void> => {
      const text = substitute(step.command.text, ctx);
      const label = `README.md:${step.command.line}`;
      if (step.kind === 'worker') {
        worker = new ManagedProcess({
          name: 'npm run worker',
          command: 'bash',
          args: ['-c', text],
          logFile: join(stackInfo().dataDir, `${ctx.queue}-worker.log`),
          cwd: root,
          env,
        });
        for (let i = 0; i < 600; i++, await sleep(200)) {
          if (worker.hasExited) throw new Error(worker.describeExit());
          if (readFileSync(join(stackInfo().dataDir, `${ctx.queue}-worker.log`), 'utf8').includes('polling')) return;
        }
        throw new Error(`${label}: the worker never said it polls`);
      }
      const { code, out } = await bash(text, env);
      assert.equal(code, 0, `${label}: ${text}\n${out}`);
      if (step.kind === 'workflow') {
        const id = /--workflow-id (\S+)/.exec(text)![1]!;
        WORKFLOW_RESULTS[step.type]!(await cliWorkflowResult(id), ctx);
      } else if (step.kind === 'schedule') {
        const scheduleId = /--schedule-id (\S+)/.exec(text)![1]!;
        try {
          const described = await temporalOk(['schedule', 'describe', '--schedule-id', scheduleId, '-o', 'json']);
          assert.match(described, new RegExp(step.type));
          assert.match(described, new RegExp(ctx.queue));
          await temporalOk(['schedule', 'trigger', '--schedule-id', scheduleId]);
          const query = `TemporalScheduledById = "${scheduleId}"`;
          let runs: { execution: { workflowId: string } }[] = [];
          for (let i = 0; i < 120 && runs.length === 0; i++, await sleep(500))
            runs = JSON.parse((await temporalOk(['workflow', 'list', '--query', query, '-o', 'json'])) || 'null') ?? [];
          assert.equal(runs.length, 1, `${label}: the trigger started one run`);
          WORKFLOW_RESULTS[step.type]!(await cliWorkflowResult(runs[0]!.execution.workflowId), ctx);
        } finally {
          await temporalOk(['schedule', 'delete', '--schedule-id', scheduleId]);
        }
      } else if (step.kind === 'cli') assert.match(out, CLI_OUTPUT[step.subcommand]!(ctx), `${label}: ${text}\n${out}`);
      else if (step.kind === 'other') step.expect(out);
    };

    const { steps } = planReadme(README);
    for (const step of steps) {
      const title = `README.md:${step.command.line} ${step.command.text.split('\n')[0]!.slice(0, 90)}`;
      if (step.kind === 'skip') it(title, { skip: step.reason }, () => {});
      else it(title, () => run(step));
    }
  });
});
