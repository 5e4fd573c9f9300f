// The ADF stand-in: an HTTPS server answering the Azure Resource Manager calls that @azure/arm-datafactory
// makes (api-version 2018-06-01) with ARM's response and error shapes: linked services, datasets and
// pipelines (PUT/GET/DELETE, 200 with the resource and an etag), createRun (with rerun options), get run,
// cancel, and queryActivityruns. Runs perform the pipeline they name on the local stack (pipeline-executor.ts)
// when given the stack's config file. Under /azbackup-test/ (never ARM) tests inject faults and read what
// the stand-in was asked (test-control.ts). Dev/test only: nothing in src/ depends on it.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { ArmError } from './arm-error';
import { pipelineExecutor } from './pipeline-executor';
import { FactoryResources, RESOURCE_KINDS, type ResourceKind } from './resources';
import { RunStore, type ActivityRunRecord, type RunExecutor } from './runs';
import { StackConnections } from './stack-connections';
import { TestControl, type FaultRequest } from './test-control';

export const ADF_API_VERSION = '2018-06-01';
/** Activity runs per queryActivityruns page (ADF pages too; clients follow continuationToken). */
const ACTIVITY_RUNS_PAGE = 100;

export interface AdfStandinOptions {
  host?: string;
  /** 0 picks a free port; the chosen one is in `url`. */
  port: number;
  cert: string;
  key: string;
  queuedForMs?: number;
  /** Every run stays InProgress at least this long (default 500 ms). */
  inProgressForMs?: number;
  /** The stack's azbackup config (connection strings): where copies read and write. Read when first needed. */
  configFile?: string;
  /** Replaces running the pipeline's activities (tests of run states only). */
  executor?: RunExecutor;
}

export interface AdfStandin {
  url: string;
  close(): Promise<void>;
}

const FACTORY = '^/subscriptions/([^/]+)/resourcegroups/([^/]+)/providers/microsoft\\.datafactory/factories/([^/]+)';
const ROUTES = {
  factory: new RegExp(FACTORY, 'i'),
  resource: new RegExp(`${FACTORY}/(linkedservices|datasets|pipelines)/([^/]+)$`, 'i'),
  createRun: new RegExp(`${FACTORY}/pipelines/([^/]+)/createRun$`, 'i'),
  run: new RegExp(`${FACTORY}/pipelineruns/([^/]+)$`, 'i'),
  cancel: new RegExp(`${FACTORY}/pipelineruns/([^/]+)/cancel$`, 'i'),
  activityRuns: new RegExp(`${FACTORY}/pipelineruns/([^/]+)/queryActivityruns$`, 'i'),
  control: /^\/azbackup-test\/factories\/([^/]+)\/(faults|release|stats|reset)$/,
};

export async function startAdfStandin(options: AdfStandinOptions): Promise<AdfStandin> {
  const resources = new FactoryResources();
  const control = new TestControl();
  const stack = new StackConnections(options.configFile);
  const executor =
    options.executor ?? pipelineExecutor({ resources, stack, minimumInProgressMs: options.inProgressForMs ?? 500 });
  const runs = new RunStore(executor, options.queuedForMs ?? 200, control);

  const handleControl = async (req: IncomingMessage, res: ServerResponse, factory: string, action: string) => {
    if (action === 'stats' && req.method === 'GET') return send(res, 200, control.stats(factory));
    if (req.method !== 'POST') throw new ArmError(405, 'MethodNotAllowed', `${req.method} is not allowed here.`);
    if (action === 'faults') {
      try {
        control.addFault(factory, (await readJson(req)) as FaultRequest);
      } catch (err) {
        throw new ArmError(400, 'BadRequest', err instanceof Error ? err.message : String(err));
      }
      return send(res, 200, {});
    }
    if (action === 'release') return send(res, 200, { released: control.release(factory) });
    control.reset(factory);
    return send(res, 200, {});
  };

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'https://standin');
    const path = url.pathname;
    let m: RegExpMatchArray | null;
    if ((m = path.match(ROUTES.control))) return handleControl(req, res, decodeURIComponent(m[1]!), m[2]!);
    if (!/^Bearer \S+/.test(req.headers.authorization ?? '')) {
      throw new ArmError(401, 'AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing.");
    }
    if (url.searchParams.get('api-version') !== ADF_API_VERSION) {
      throw new ArmError(
        400,
        'InvalidApiVersionParameter',
        `The api-version '${url.searchParams.get('api-version') ?? ''}' is invalid. The supported version is '${ADF_API_VERSION}'.`,
      );
    }
    const factoryMatch = path.match(ROUTES.factory);
    if (factoryMatch) {
      const throttle = control.onRequest(factoryMatch[3]!);
      if (throttle) {
        return send(
          res,
          throttle.status,
          { error: { code: 'TooManyRequests', message: 'Too many requests (injected by azbackup-test).' } },
          throttle.retryAfterSeconds !== undefined ? { 'retry-after': String(throttle.retryAfterSeconds) } : {},
        );
      }
    }
    if ((m = path.match(ROUTES.createRun)) && req.method === 'POST') {
      const [, , , factory, pipeline] = m as unknown as string[];
      const definition = resources.get(factory!, 'pipelines', pipeline!);
      if (!definition) {
        throw new ArmError(404, 'PipelineNotFound', `Pipeline '${pipeline}' does not exist in factory '${factory}'.`);
      }
      const parameters = ((await readJson(req)) ?? {}) as Record<string, unknown>;
      const reference = url.searchParams.get('referencePipelineRunId') ?? undefined;
      const rerun = {
        referencePipelineRunId: reference,
        isRecovery: url.searchParams.get('isRecovery') === 'true',
        startFromFailure: url.searchParams.get('startFromFailure') === 'true',
      };
      if (reference && !runs.get(factory!, reference)) {
        throw new ArmError(
          400,
          'ReferencedPipelineRunNotValid',
          `Referenced pipeline run id ${reference} is not a valid run id.`,
        );
      }
      if (!reference) {
        const declared = (definition.properties.parameters ?? {}) as Record<string, { defaultValue?: unknown }>;
        const missing = Object.entries(declared)
          .filter(([name, spec]) => !(name in parameters) && !(spec && 'defaultValue' in spec))
          .map(([name]) => `'${name}'`);
        if (missing.length) {
          throw new ArmError(
            400,
            'BadRequest',
            `Missing value for required parameter(s) ${missing.join(', ')} of pipeline '${definition.name}'.`,
          );
        }
      }
      const run = runs.create(factory!, definition.name, parameters, reference ? rerun : {});
      control.recordCreateRun(factory!, {
        runId: run.runId,
        pipelineName: definition.name,
        parameters,
        ...(reference ? rerun : {}),
      });
      return send(res, 200, { runId: run.runId });
    }
    if ((m = path.match(ROUTES.cancel)) && req.method === 'POST') {
      const [, , , factory, runId] = m as unknown as string[];
      if (!runs.cancel(factory!, runId!))
        throw new ArmError(404, 'PipelineRunNotFound', `Pipeline run '${runId}' was not found.`);
      control.recordCancel(factory!, runId!, url.searchParams.get('isRecursive') === 'true');
      return send(res, 200, undefined);
    }
    if ((m = path.match(ROUTES.activityRuns)) && req.method === 'POST') {
      const [, , , factory, runId] = m as unknown as string[];
      const run = runs.get(factory!, runId!);
      if (!run) throw new ArmError(404, 'PipelineRunNotFound', `Pipeline run '${runId}' was not found.`);
      const filter = ((await readJson(req)) ?? {}) as {
        lastUpdatedAfter?: string;
        lastUpdatedBefore?: string;
        continuationToken?: string;
      };
      const after = Date.parse(filter.lastUpdatedAfter ?? '');
      const before = Date.parse(filter.lastUpdatedBefore ?? '');
      if (Number.isNaN(after) || Number.isNaN(before)) {
        throw new ArmError(400, 'BadRequest', 'lastUpdatedAfter and lastUpdatedBefore are required.');
      }
      const matching = run.activityRuns.filter((a: ActivityRunRecord) => {
        const updated = Date.parse(a.activityRunEnd ?? a.activityRunStart);
        return updated >= after && updated <= before;
      });
      const from = Number(filter.continuationToken ?? 0) || 0;
      const page = matching.slice(from, from + ACTIVITY_RUNS_PAGE);
      const next = from + page.length;
      return send(res, 200, {
        value: page,
        ...(next < matching.length ? { continuationToken: String(next) } : {}),
      });
    }
    if ((m = path.match(ROUTES.run)) && req.method === 'GET') {
      const [, , , factory, runId] = m as unknown as string[];
      const run = runs.get(factory!, runId!);
      if (!run) throw new ArmError(404, 'PipelineRunNotFound', `Pipeline run '${runId}' was not found.`);
      return send(res, 200, RunStore.toResource(run));
    }
    if ((m = path.match(ROUTES.resource))) {
      const [, , , factory, kindText, name] = m as unknown as string[];
      const kind = kindText!.toLowerCase() as ResourceKind;
      const label = RESOURCE_KINDS[kind].label;
      if (req.method === 'PUT') {
        const ifMatch = req.headers['if-match'];
        const resource = resources.put(factory!, kind, name!, path, await readJson(req), ifMatch);
        return send(res, 200, resource);
      }
      if (req.method === 'GET') {
        const resource = resources.get(factory!, kind, name!);
        if (!resource) throw new ArmError(404, 'NotFound', `${label} '${name}' was not found.`);
        return send(res, 200, resource);
      }
      if (req.method === 'DELETE') {
        const existed = resources.delete(factory!, kind, name!);
        return send(res, existed ? 200 : 204, undefined);
      }
    }
    throw new ArmError(404, 'NotFound', `No route for ${req.method} ${path} in the ADF stand-in.`);
  };

  const server: Server = createServer({ cert: options.cert, key: options.key }, (req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof ArmError) send(res, err.status, { error: { code: err.code, message: err.message } });
      else send(res, 500, { error: { code: 'InternalServerError', message: String(err) } });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host ?? '127.0.0.1', resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `https://${options.host ?? '127.0.0.1'}:${port}`,
    close: async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      });
      await stack.close();
    },
  };
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    throw new ArmError(400, 'InvalidRequestContent', 'The request content was invalid and could not be deserialized.');
  }
}

function send(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'x-ms-request-id': randomUUID(),
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  res.end(text);
}
