// Secrets must never reach a workflow history or anything azbackup prints. The secrets are those of the
// stack's config (every account key, connection string, SAS, Cosmos key and token, by their field) and
// the local stack's well-known keys; a SAS signature is one whatever its origin. `findSecrets` scans a
// text; `scanHistories` lists the workflow runs of a namespace and scans every string and payload of each
// history (inputs, results, failures, search attributes, memo, and the heartbeat details and last
// failures of running activities); `postSuiteSecretsScan` is the same over every run of `npm test`.
import { Client, Connection, type WorkflowExecutionInfo } from '@temporalio/client';
import { temporal } from '@temporalio/proto';
import { AZURITE_ACCOUNTS } from '../../dev/azurite';
import { LOCAL_COSMOS_KEY } from '../../dev/stack';
import { parseConnectionString } from '../../src/config/connection-string';
import { parseConfig } from '../../src/config/load';
import type { Config } from '../../src/config/schema';
import { mapWithConcurrency } from '../../src/lib/async-pool';
import type { TestStackInfo } from './stack-info';

/** A secret and the field it comes from: a finding names the field, never the value. */
export interface Secret {
  field: string;
  value: string;
}

/** The config fields holding secrets (as config/load.ts redacts them). */
const SECRET_FIELDS = new Set(['connectionString', 'accountKey', 'sasToken', 'key', 'token', 'clientSecret']);

/** Every secret of a config's connections, then the local stack's well-known keys. */
export function configSecrets(config: Config): Secret[] {
  const found: Secret[] = [];
  const walk = (value: unknown, path: string) => {
    if (typeof value !== 'object' || value === null) return;
    for (const [key, child] of Object.entries(value)) {
      const field = `${path}.${key}`;
      if (typeof child === 'string' && SECRET_FIELDS.has(key)) {
        found.push({ field, value: child });
        if (key === 'connectionString') found.push(...connectionStringSecrets(field, child));
        if (key === 'sasToken') found.push(...sasSecrets(field, child));
      } else walk(child, field);
    }
  };
  walk(config.connections, 'connections');
  for (const [account, key] of Object.entries(AZURITE_ACCOUNTS))
    found.push({ field: `dev/azurite.ts AZURITE_ACCOUNTS.${account}`, value: key });
  found.push({ field: 'dev/stack.ts LOCAL_COSMOS_KEY', value: LOCAL_COSMOS_KEY });
  const seen = new Set<string>();
  return found.filter((s) => s.value.length >= 8 && !seen.has(s.value) && seen.add(s.value));
}

function connectionStringSecrets(field: string, text: string): Secret[] {
  try {
    const parsed = parseConnectionString(text);
    return [
      ...(parsed.accountKey ? [{ field: `${field} (AccountKey)`, value: parsed.accountKey }] : []),
      ...(parsed.sasToken ? sasSecrets(`${field} (SharedAccessSignature)`, parsed.sasToken) : []),
    ];
  } catch {
    return [];
  }
}

/** A SAS token and its signature alone (the signature is what grants access). */
export function sasSecrets(field: string, token: string): Secret[] {
  const sig = new URLSearchParams(token.replace(/^\?/, '')).get('sig');
  return [{ field, value: token.replace(/^\?/, '') }, ...(sig ? [{ field: `${field} (sig)`, value: sig }] : [])];
}

const SAS_PATTERNS: { name: string; test: (text: string) => boolean }[] = [
  // A real signature is 44 base64 characters; the SDK's sanitized `sig=REDACTED` is not one.
  { name: 'a SAS signature (sig=)', test: (t) => /(?:^|[?&;\s"'])sig(?:=|%3D)[A-Za-z0-9%+/=]{16,}/i.test(t) },
  {
    name: 'a SAS token (sv=20.. with se=)',
    test: (t) => /(?:^|[?&;\s"'])sv(?:=|%3D)20\d\d-\d\d-\d\d/i.test(t) && /(?:^|[?&;\s"'])se(?:=|%3D)\d{4}-/i.test(t),
  },
];

/** The forms a secret takes in text: as it is, URL-encoded, and escaped in JSON. */
function forms(value: string): string[] {
  return [...new Set([value, encodeURIComponent(value), JSON.stringify(value).slice(1, -1)])];
}

/** What of `secrets` (by field) and which SAS patterns `text` holds. */
export function findSecrets(text: string, secrets: readonly Secret[]): string[] {
  const hits: string[] = [];
  for (const s of secrets) if (forms(s.value).some((f) => text.includes(f))) hits.push(s.field);
  for (const p of SAS_PATTERNS) if (p.test(text)) hits.push(p.name);
  return hits;
}

/** A secret found somewhere: which one (its field) and where (a run, an event, a path in it). */
export interface SecretFinding {
  secret: string;
  where: string;
}

/** Every string in `value` (bytes decoded as UTF-8), with its path, and how many payloads it holds. */
export function scanValue(
  value: unknown,
  where: string,
  secrets: readonly Secret[],
): { findings: SecretFinding[]; payloads: number } {
  const findings: SecretFinding[] = [];
  let payloads = 0;
  const visit = (v: unknown, path: string): void => {
    if (typeof v === 'string') {
      for (const secret of findSecrets(v, secrets)) findings.push({ secret, where: path });
    } else if (v instanceof Uint8Array) {
      visit(Buffer.from(v).toString('utf8'), path);
    } else if (Array.isArray(v)) {
      v.forEach((item, i) => visit(item, `${path}[${i}]`));
    } else if (typeof v === 'object' && v !== null && !isLong(v)) {
      if (isPayload(v)) payloads++;
      for (const [key, child] of Object.entries(v)) visit(child, `${path}.${key}`);
    }
  };
  visit(value, where);
  return { findings, payloads };
}

function isPayload(v: object): boolean {
  const metadata = (v as { metadata?: unknown }).metadata;
  return typeof metadata === 'object' && metadata !== null && 'encoding' in metadata;
}

function isLong(v: object): boolean {
  return 'low' in v && 'high' in v && 'unsigned' in v;
}

export interface HistoryScan {
  /** Workflow runs whose history was scanned. */
  histories: number;
  events: number;
  payloads: number;
  /** The workflow ids scanned (so a caller can check its own runs were among them). */
  workflowIds: Set<string>;
  findings: SecretFinding[];
}

export interface ScanHistoriesOptions {
  /** A visibility query (default: every run in the namespace). */
  query?: string;
  concurrency?: number;
}

/** Lists the runs a query matches and scans each one's history, listing entry and (when open) description. */
export async function scanHistories(
  client: Client,
  secrets: readonly Secret[],
  options: ScanHistoriesOptions = {},
): Promise<HistoryScan> {
  const runs: WorkflowExecutionInfo[] = [];
  for await (const info of client.workflow.list({ query: options.query })) runs.push(info);
  const scan: HistoryScan = { histories: 0, events: 0, payloads: 0, workflowIds: new Set(), findings: [] };
  const add = (result: ReturnType<typeof scanValue>) => {
    scan.payloads += result.payloads;
    scan.findings.push(...result.findings);
  };
  await mapWithConcurrency(runs, options.concurrency ?? 8, async (info) => {
    const run = `${info.workflowId} (run ${info.runId}, ${info.type})`;
    const handle = client.workflow.getHandle(info.workflowId, info.runId);
    add(scanValue(info.raw, `${run} visibility`, secrets));
    const history = await handle.fetchHistory();
    for (const event of history.events ?? []) {
      const type = temporal.api.enums.v1.EventType[event.eventType ?? 0] ?? String(event.eventType);
      add(scanValue(event, `${run} event ${String(event.eventId)} ${type}`, secrets));
      scan.events++;
    }
    // Heartbeat details and last failures of activities in flight are in no event yet.
    if (info.status.name === 'RUNNING') add(scanValue((await handle.describe()).raw, `${run} description`, secrets));
    scan.histories++;
    scan.workflowIds.add(info.workflowId);
  });
  return scan;
}

/** One line per finding (the secret's field and where it was), at most `limit`. */
export function describeFindings(findings: readonly SecretFinding[], limit = 20): string {
  const lines = findings.slice(0, limit).map((f) => `  - ${f.secret} in ${f.where}`);
  if (findings.length > limit) lines.push(`  ... and ${findings.length - limit} more`);
  return lines.join('\n');
}

/**
 * After every test file: scans every workflow history on the test stack's Temporal server. Resolves
 * with a one-line summary; rejects naming each secret found and where.
 */
export async function postSuiteSecretsScan(info: TestStackInfo): Promise<string> {
  const config = parseConfig(info.config);
  const connection = await Connection.connect({ address: config.temporal.address });
  try {
    const client = new Client({ connection, namespace: config.temporal.namespace });
    const scan = await scanHistories(client, configSecrets(config));
    if (scan.findings.length)
      throw new Error(
        `Secrets in workflow histories (${scan.findings.length} finding(s) in ${scan.histories} histories):\n` +
          describeFindings(scan.findings),
      );
    return scan.histories === 0
      ? 'secrets scan: no workflow ran, no history to scan'
      : `secrets scan: scanned ${scan.histories} histories, ${scan.payloads} payloads: no secrets`;
  } finally {
    await connection.close();
  }
}
