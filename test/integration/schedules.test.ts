// `azbackup schedule …` on the real Temporal server with a real worker: a schedule made from the backup
// command's own flags runs a real backup, pauses on failure with the reason visible, refuses bad input
// before anything is created, and `schedule apply` makes the config's schedules real.
import { ScheduleNotFoundError } from '@temporalio/client';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { seedBlobs } from '../../dev/seed';
import { cli } from '../support/cli';
import { stackInfo, startTestWorker, uniqueName, type TestWorker } from '../support/stack';
import { until } from '../support/worker-process';

interface Described {
  paused: boolean;
  note?: string;
  overlap: string;
  jitterMs?: number;
  catchupWindowMs: number;
  timezone?: string;
  when?: string;
  summary?: string;
  details?: string;
  madeBy?: string;
  skippedOverlap: number;
  recentRuns: { workflowId: string; status: string }[];
}

async function describeSchedule(id: string): Promise<Described> {
  const { code, out } = await cli(['schedule', 'describe', id, '--json']);
  assert.equal(code, 0, out);
  return JSON.parse(out) as Described;
}

describe('azbackup schedule', () => {
  let w: TestWorker;
  const made: string[] = [];
  before(async () => {
    w = await startTestWorker();
  });
  after(async () => {
    for (const id of made)
      await w.client.schedule
        .getHandle(id)
        .delete()
        .catch(() => {});
    await w.stop();
  });

  async function gone(id: string): Promise<boolean> {
    try {
      await w.client.schedule.getHandle(id).describe();
      return false;
    } catch (err) {
      return err instanceof ScheduleNotFoundError;
    }
  }

  it('create from the backup command, trigger: the run completes; pause shows in describe and list; delete', async () => {
    const container = uniqueName('sch');
    const bk = uniqueName('bk');
    await seedBlobs(w.connections.blob('source').service.getContainerClient(container), { count: 5 });
    const id = uniqueName('photos');
    made.push(id);
    const create = [
      ...['schedule', 'create', id, '--every', '1h', '--jitter', '5m', '--overlap', 'buffer-one'],
      ...['--catchup-window', '10m', '--note', 'hourly photos', '--task-queue', w.taskQueue],
      ...['backup', '--source', 'source', '--container', container, '--backup', 'backup', '--backup-container', bk],
    ];
    const first = await cli(create);
    assert.equal(first.code, 0, first.out);
    assert.match(first.out, new RegExp(`Created schedule ${id}: every 1h, jitter 5m, overlap buffer-one`));
    const d = await describeSchedule(id);
    assert.equal(d.madeBy, 'cli');
    assert.equal(d.overlap, 'buffer-one');
    assert.equal(d.jitterMs, 300_000);
    assert.equal(d.catchupWindowMs, 600_000);
    assert.equal(d.note, 'hourly photos');
    assert.equal(d.paused, false);
    assert.equal(d.summary, `Back up source/${container} to backup, every 1h, jitter 5m`);
    assert.match(d.details!, new RegExp(`\\*\\*Source:\\*\\* blob source/${container}`));
    assert.match(d.details!, new RegExp(`\\*\\*Target:\\*\\* backup / ${bk}`));
    assert.match(d.details!, /\*\*Mode:\*\* incremental, verify md5/);
    assert.match(d.details!, /\*\*Made by:\*\* `azbackup schedule create .* backup --source source/);

    const again = await cli(create);
    assert.equal(again.code, 0, again.out);
    assert.match(again.out, /exists with this definition: unchanged/);

    const trig = await cli(['schedule', 'trigger', id]);
    assert.equal(trig.code, 0, trig.out);
    assert.match(trig.out, /overlap buffer-one/);
    let runs: Described['recentRuns'] = [];
    await until(
      async () => {
        runs = (await describeSchedule(id)).recentRuns;
        return runs[0]?.status === 'COMPLETED';
      },
      180_000,
      'the triggered backup to complete',
    );
    assert.equal(runs.length, 1);
    assert.ok(runs[0]!.workflowId.startsWith(`${id}-`), runs[0]!.workflowId);
    const result = (await w.client.workflow.getHandle(runs[0]!.workflowId).result()) as {
      copied: number;
      verified: boolean;
    };
    assert.equal(result.copied, 5);
    assert.equal(result.verified, true);

    const pause = await cli(['schedule', 'pause', id, '--note', 'storage maintenance']);
    assert.equal(pause.code, 0, pause.out);
    const paused = await describeSchedule(id);
    assert.equal(paused.paused, true);
    assert.equal(paused.note, 'storage maintenance');
    assert.equal(paused.recentRuns[0]?.status, 'COMPLETED');
    const text = await cli(['schedule', 'describe', id]);
    assert.match(text.out, /PAUSED; note: storage maintenance/);
    await until(
      async () => {
        const listed = await cli(['schedule', 'list', '--json']);
        const row = (JSON.parse(listed.out) as { id: string; paused: boolean; note?: string }[]).find(
          (r) => r.id === id,
        );
        return row?.paused === true && row.note === 'storage maintenance';
      },
      30_000,
      'list to show the pause',
    );
    const unpause = await cli(['schedule', 'unpause', id]);
    assert.equal(unpause.code, 0, unpause.out);
    assert.equal((await describeSchedule(id)).paused, false);

    assert.equal((await cli(['schedule', 'delete', id])).code, 0);
    assert.ok(await gone(id));
    const twice = await cli(['schedule', 'delete', id]);
    assert.equal(twice.code, 1, twice.out);
    assert.match(twice.out, /no schedule/);
  });

  it('a failed run pauses the schedule and the note says why; cron with a time zone', async () => {
    const id = uniqueName('fails');
    made.push(id);
    const missing = uniqueName('missing');
    const create = await cli([
      ...['schedule', 'create', id, '--cron', '0 3 * * *', '--timezone', 'Europe/Berlin', '--task-queue', w.taskQueue],
      ...['backup', '--source', 'source', '--container', missing, '--backup', 'backup'],
    ]);
    assert.equal(create.code, 0, create.out);
    assert.equal((await cli(['schedule', 'trigger', id])).code, 0);
    let d: Described | undefined;
    await until(
      async () => {
        d = await describeSchedule(id);
        return d.paused && d.recentRuns[0]?.status === 'FAILED';
      },
      180_000,
      'the schedule to pause after the failed run',
    );
    assert.match(d!.note ?? '', /fail/i);
    assert.match(d!.note ?? '', new RegExp(id));
    assert.equal(d!.timezone, 'Europe/Berlin');
    assert.equal(d!.when, 'cron 0 3 * * * (Europe/Berlin)');
  });

  it('the same id with another definition is refused (exit 4), naming what differs, and changes nothing', async () => {
    const id = uniqueName('same');
    made.push(id);
    const what = ['--kind', 'reconcile', '--input', '{"source":"source","container":"photos","backup":"backup"}'];
    const first = await cli(['schedule', 'create', id, '--every', '1h', '--task-queue', w.taskQueue, ...what]);
    assert.equal(first.code, 0, first.out);
    const other = await cli(['schedule', 'create', id, '--every', '2h', '--task-queue', w.taskQueue, ...what]);
    assert.equal(other.code, 4, other.out);
    assert.match(other.out, /differs in every\)/);
    assert.equal((await describeSchedule(id)).when, 'every 1h');
  });

  it('backfill starts one run and skips the overlapping ones; usage mistakes exit 2, unknown ids 1', async () => {
    const id = uniqueName('backfill');
    made.push(id);
    const idle = uniqueName('tq-idle'); // no worker: the first run stays open, so the next ones overlap
    const input = JSON.stringify({ source: 'source', container: 'photos', backup: 'backup' });
    const create = await cli([
      'schedule',
      'create',
      id,
      '--every',
      '1m',
      '--task-queue',
      idle,
      '--kind',
      'backup',
      '--input',
      input,
    ]);
    assert.equal(create.code, 0, create.out);
    const now = Date.now();
    const from = new Date(now - 3 * 60_000 - 30_000).toISOString();
    const bf = await cli(['schedule', 'backfill', id, '--from', from, '--to', new Date(now).toISOString()]);
    assert.equal(bf.code, 0, bf.out);
    assert.match(bf.out, /overlap skip/);
    let d: Described | undefined;
    await until(
      async () => {
        d = await describeSchedule(id);
        return d.recentRuns.length === 1 && d.skippedOverlap >= 1;
      },
      60_000,
      'one backfilled run and skipped ones',
    );
    assert.equal(d!.recentRuns[0]!.status, 'RUNNING');
    await w.client.schedule.getHandle(id).delete();
    await w.client.workflow.getHandle(d!.recentRuns[0]!.workflowId).terminate('test cleanup');

    for (const args of [
      ['schedule'],
      ['schedule', 'frobnicate'],
      ['schedule', 'backfill', id, '--from', 'yesterday', '--to', new Date().toISOString()],
      ['schedule', 'trigger'],
      ['schedule', 'create', '--every', '1h'],
    ]) {
      const r = await cli(args);
      assert.equal(r.code, 2, `${args.join(' ')}: ${r.out}`);
    }
    const unknown = await cli(['schedule', 'describe', uniqueName('nope')]);
    assert.equal(unknown.code, 1, unknown.out);
    assert.match(unknown.out, /no schedule/);
  });

  it('refuses bad input naming the field, and creates nothing', async () => {
    const blob = ['--source', 'source', '--container', 'photos', '--backup', 'backup'];
    const retention = ['retention', '--backup', 'backup', '--source', 'source', '--container', 'photos'];
    const cases: [string[], RegExp][] = [
      [
        ['--every', '1h', 'backup', '--source', 'source', '--container', 'Bad_Name', '--backup', 'backup'],
        /input\.container/,
      ],
      [
        ['--every', '1h', 'backup', '--source', 'source', '--container', 'photos', '--backup', 'nowhere'],
        /input\.backup is not a connection of this config/,
      ],
      [
        ['--every', '1h', '--kind', 'backup', '--input', '{"source":"cosmos","container":"photos","backup":"backup"}'],
        /input\.source is a cosmos connection; this needs a blob connection/,
      ],
      [['--every', '1d', ...retention, '--keep-last', '3', '--grace-period-seconds', '1'], /input\.gracePeriodMs/],
      [['--every', '1d', ...retention], /input\.policy/],
      [['--every', '10s', 'backup', ...blob], /every must be at least 1m/],
      [['--cron', '0 2 * *', 'backup', ...blob], /cron must be a cron line/],
      [['--at', '02:00', '--timezone', 'Mars/Olympus', 'backup', ...blob], /timezone is not an IANA time zone/],
      [['--every', '1h', '--jitter', '2h', 'backup', ...blob], /jitter must be shorter than every/],
      [['--every', '1h', '--kind', 'copy', '--input', '{}'], /kind must be one of backup, reconcile/],
      [['--every', '1h', '--kind', 'backup', '--input', '{bad'], /--input is not JSON/],
    ];
    for (const [args, message] of cases) {
      const id = uniqueName('bad');
      const r = await cli(['schedule', 'create', id, ...args]);
      assert.ok(r.code === 1 || r.code === 2, `${args.join(' ')}: exit ${r.code}: ${r.out}`);
      // The message itself, not the usage text printed after it.
      assert.match(r.out.split('\nusage:')[0]!, message, args.join(' '));
      assert.ok(await gone(id), `${id} was created`);
    }
  });

  describe('schedule apply', () => {
    const taskQueue = uniqueName('tq-apply');
    const dir = mkdtempSync(join(tmpdir(), 'azb-apply-'));
    const a = uniqueName('a');
    const b = uniqueName('b');
    const input = { source: 'source', container: 'photos', backup: 'backup' };
    function configWith(schedules: Record<string, unknown>): NodeJS.ProcessEnv {
      const base = stackInfo().config;
      const file = join(dir, `${uniqueName('config')}.json`);
      writeFileSync(file, JSON.stringify({ ...base, temporal: { ...base.temporal, taskQueue }, schedules }));
      return { AZBACKUP_CONFIG: file };
    }
    const apply = (env: NodeJS.ProcessEnv, ...flags: string[]) => cli(['schedule', 'apply', ...flags], env);
    after(async () => {
      for (const id of [a, b])
        await w.client.schedule
          .getHandle(id)
          .delete()
          .catch(() => {});
    });

    it('creates, reports unchanged, updates, leaves undeclared ones unless --prune, and never touches others', async () => {
      const both = configWith({
        [a]: { kind: 'backup', every: '6h', input },
        [b]: {
          kind: 'retention',
          cron: '0 4 * * *',
          input: { backup: 'backup', source: { account: 'source', container: 'photos' }, policy: { keepDaily: 7 } },
        },
      });
      const dry = await apply(both, '--dry-run');
      assert.equal(dry.code, 0, dry.out);
      assert.match(dry.out, new RegExp(`\\+ create ${a}`));
      assert.match(dry.out, new RegExp(`\\+ create ${b}`));
      assert.ok((await gone(a)) && (await gone(b)), 'a dry run created something');

      const first = await apply(both);
      assert.equal(first.code, 0, first.out);
      assert.match(first.out, /Applied: 2 created/);
      const da = await describeSchedule(a);
      assert.equal(da.madeBy, 'config');
      assert.match(da.details!, new RegExp(`\\*\\*Made by:\\*\\* .*\\(schedules\\.${a}\\)`));
      const next = await apply(both);
      assert.match(next.out, new RegExp(`= unchanged ${a}`));
      assert.match(next.out, new RegExp(`= unchanged ${b}`));

      const changed = configWith({ [a]: { kind: 'backup', every: '12h', input: { ...input, container: 'videos' } } });
      await until(
        async () => new RegExp(`- delete ${b}`).test((await apply(changed, '--dry-run', '--prune')).out),
        30_000,
        'the list to show b',
      );
      const plan = await apply(changed, '--dry-run', '--prune');
      assert.match(plan.out, new RegExp(`~ update ${a} \\(input\\.container, every\\)`));
      assert.equal((await describeSchedule(a)).when, 'every 6h');

      const keep = await apply(changed);
      assert.equal(keep.code, 0, keep.out);
      assert.match(keep.out, new RegExp(`\\? not declared ${b}`));
      assert.equal((await describeSchedule(a)).when, 'every 12h');
      assert.ok(!(await gone(b)));
      const prune = await apply(changed, '--prune');
      assert.equal(prune.code, 0, prune.out);
      assert.match(prune.out, new RegExp(`- delete ${b}`));
      assert.ok(await gone(b));
    });

    it('an id taken by a schedule apply did not make is a conflict, found before any write; bad declarations are config problems', async () => {
      const byCli = uniqueName('cli-made');
      const byClient = uniqueName('client-made');
      const fresh = uniqueName('fresh');
      made.push(byCli, byClient, fresh);
      const created = await cli([
        'schedule',
        'create',
        byCli,
        '--every',
        '1h',
        '--task-queue',
        taskQueue,
        '--kind',
        'backup',
        '--input',
        JSON.stringify(input),
      ]);
      assert.equal(created.code, 0, created.out);
      await w.client.schedule.create({
        scheduleId: byClient,
        spec: { intervals: [{ every: '1h' }] },
        action: { type: 'startWorkflow', workflowType: 'backupContainer', taskQueue, args: [input] },
      });
      const env = configWith({
        [fresh]: { kind: 'backup', every: '1h', input },
        [byCli]: { kind: 'backup', every: '1h', input },
        [byClient]: { kind: 'backup', every: '1h', input },
      });
      const r = await apply(env);
      assert.equal(r.code, 1, r.out);
      assert.match(r.out, new RegExp(`! conflict ${byCli}: it was made by \`azbackup schedule create\``));
      assert.match(r.out, new RegExp(`! conflict ${byClient}: a schedule azbackup did not make`));
      assert.ok(await gone(fresh), 'apply wrote despite a conflict');

      const bad = await apply(
        configWith({ [fresh]: { kind: 'backup', every: '1h', input: { ...input, container: 'Bad_Name' } } }),
      );
      assert.equal(bad.code, 1, bad.out);
      assert.match(bad.out, new RegExp(`schedules\\.${fresh}\\.input\\.container`));
      assert.ok(await gone(fresh));
    });
  });
});
