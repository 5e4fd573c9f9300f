// The Temporal UI as a person uses it, in a real browser: Debian's chromium, headless, driven by
// playwright-core (no browser download) against the UI the dev server serves. A backup started as the CLI
// starts it (summary and markdown details) is found by filtering the list on BackupSource and BackupStatus,
// opened, and shows its summary, its result, and child workflows and activities named by their page.
// Screenshots go to $AZBACKUP_TEST_SCREENSHOTS, or .azbackup-dev/test-output/screenshots (kept after the run,
// ignored by git); their paths are printed.
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { backupContainer, type BackupContainerResult } from '../../src/workflows/backup-container';
import { useBlobFixture } from '../support/blob-fixture';
import { stackInfo, uniqueName } from '../support/stack';

const root = join(__dirname, '..', '..');
const CHROMIUM = process.env.AZBACKUP_CHROMIUM ?? '/usr/bin/chromium';
const TIMEOUT = 60_000;
/** 30 seeded blobs in pages of 10: each page's child workflow and activity is named by its range. */
const PAGE_SUMMARIES = [
  'page 0: blobs (start)…item-000009.json',
  'page 1: blobs item-000009.json…item-000019.json',
  'page 2: blobs item-000019.json…(end)',
];

describe('the Temporal UI in chromium', () => {
  const fixture = useBlobFixture();
  const container = uniqueName('ui');
  const workflowId = uniqueName('ui-backup');
  const ui = `http://127.0.0.1:${stackInfo().ports.temporalUi}/namespaces/${stackInfo().config.temporal?.namespace ?? 'default'}`;
  const shots = process.env.AZBACKUP_TEST_SCREENSHOTS ?? join(root, '.azbackup-dev', 'test-output', 'screenshots');
  let browser: Browser;
  let page: Page;
  let result: BackupContainerResult;

  const screenshot = async (name: string) => {
    mkdirSync(shots, { recursive: true });
    const path = join(shots, `${name}.png`);
    await page.screenshot({ path, fullPage: true });
    console.log(`screenshot: ${path}`);
    return path;
  };
  const list = async (query: string) => {
    await page.goto(`${ui}/workflows?query=${encodeURIComponent(query)}`);
  };

  before(async () => {
    if (!existsSync(CHROMIUM))
      throw new Error(`No chromium at ${CHROMIUM}. Install it with apt-get install chromium (.ci/run does).`);
    await fixture.seed(container, { count: 30 });
    result = await fixture.w.client.workflow.execute(backupContainer, {
      taskQueue: fixture.w.taskQueue,
      workflowId,
      args: [{ source: 'source', container, backup: 'backup', backupContainer: fixture.backupName, pageSize: 10 }],
      staticSummary: `Back up source/${container} to backup`,
      staticDetails: `**Source:** \`source/${container}\`\n\n- **Target:** \`backup/${fixture.backupName}\``,
    });
    browser = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: ['--no-sandbox'] });
    page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
    page.setDefaultTimeout(TIMEOUT);
  });
  after(() => browser?.close());

  it('lists exactly this backup when filtered by BackupSource and BackupStatus', async () => {
    await list(`BackupSource = "source/${container}" AND BackupStatus = "Completed"`);
    const rows = page.getByRole('link', { name: workflowId, exact: true });
    await rows.first().waitFor();
    assert.equal(await rows.count(), 1);
    await screenshot('1-list-completed');
    await list(`BackupSource = "source/${container}" AND BackupStatus = "Failed"`);
    await page
      .getByText(/No Results/i)
      .first()
      .waitFor();
    assert.equal(await page.getByRole('link', { name: workflowId, exact: true }).count(), 0);
  });

  it('opens the backup: its status, result, and a child workflow per page named by its blobs', async () => {
    assert.equal(result.pages, 3);
    await list(`BackupSource = "source/${container}" AND BackupStatus = "Completed"`);
    await page.getByRole('link', { name: workflowId, exact: true }).click();
    await page.waitForURL(/\/history/);
    await page.getByRole('heading', { name: new RegExp(workflowId) }).waitFor();
    await page.getByText('Completed', { exact: true }).first().waitFor();
    await page.getByText('"copied": 30').waitFor();
    await page.getByText('"verified": true').waitFor();
    await page.getByText(`"runKey": "${result.runKey}"`).waitFor();
    for (const summary of PAGE_SUMMARIES) await page.getByText(summary, { exact: true }).first().waitFor();
    await screenshot('2-backup-history');
  });

  it('shows the summary, the markdown details and the pages in User Metadata', async () => {
    await page.getByText('User Metadata', { exact: true }).first().click();
    await page.waitForURL(/\/user-metadata/);
    // Markdown is rendered in sandboxed frames: one for the summary, one for the details.
    const frames = page.locator('iframe[title="output"]');
    await frames.nth(1).waitFor();
    await page
      .frameLocator('iframe[title="output"]')
      .nth(0)
      .getByText(`Back up source/${container} to backup`)
      .waitFor();
    const details = page.frameLocator('iframe[title="output"]').nth(1);
    await details.locator('strong', { hasText: 'Source:' }).waitFor();
    await details.locator('code', { hasText: `source/${container}` }).waitFor();
    for (const summary of PAGE_SUMMARIES) await page.getByText(summary, { exact: true }).waitFor();
    await screenshot('3-backup-user-metadata');
  });

  it("a page's child workflow shows its activity named by the page", async () => {
    const child = `${workflowId}/${result.runKey}/page-0`;
    await page.goto(`${ui}/workflows/${encodeURIComponent(child)}`);
    await page.getByText('backupContainerPage', { exact: true }).first().waitFor();
    await page.getByText(`backupPage • ${PAGE_SUMMARIES[0]}`).first().waitFor();
    await page.getByText('"copied": 10').waitFor();
    await screenshot('4-page-0-history');
  });
});
