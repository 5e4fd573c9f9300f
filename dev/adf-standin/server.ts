// The ADF stand-in: an HTTPS server answering the Azure Resource Manager calls that @azure/arm-datafactory
// makes for pipelines (api-version 2018-06-01), with ARM's response and error shapes. Dev/test only.
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:https';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { delayExecutor, RunStore, type RunExecutor } from './runs';

export const ADF_API_VERSION = '2018-06-01';

export interface AdfStandinOptions {
  host?: string;
  /** 0 picks a free port; the chosen one is in `url`. */
  port: number;
  cert: string;
  key: string;
  queuedForMs?: number;
  inProgressForMs?: number;
  executor?: RunExecutor;
}

export interface AdfStandin {
  url: string;
  close(): Promise<void>;
}

const FACTORY = '^/subscriptions/([^/]+)/resourcegroups/([^/]+)/providers/microsoft\\.datafactory/factories/([^/]+)';
const ROUTES = {
  pipeline: new RegExp(`${FACTORY}/pipelines/([^/]+)$`, 'i'),
  createRun: new RegExp(`${FACTORY}/pipelines/([^/]+)/createRun$`, 'i'),
  run: new RegExp(`${FACTORY}/pipelineruns/([^/]+)$`, 'i'),
  cancel: new RegExp(`${FACTORY}/pipelineruns/([^/]+)/cancel$`, 'i'),
};

class ArmError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function startAdfStandin(options: AdfStandinOptions): Promise<AdfStandin> {
  const runs = new RunStore(
    options.executor ?? delayExecutor(options.inProgressForMs ?? 500),
    options.queuedForMs ?? 200,
  );
  const pipelines = new Map<string, Record<string, unknown>>();

  const handle = async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const url = new URL(req.url ?? '/', 'https://standin');
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
    const path = url.pathname;
    let m: RegExpMatchArray | null;
    if ((m = path.match(ROUTES.createRun)) && req.method === 'POST') {
      const [, , , factory, pipeline] = m as unknown as string[];
      if (!pipelines.has(key(factory!, pipeline!))) {
        throw new ArmError(404, 'PipelineNotFound', `Pipeline '${pipeline}' does not exist in factory '${factory}'.`);
      }
      const parameters = (await readJson(req)) ?? {};
      return send(res, 200, { runId: runs.create(pipeline!, parameters as Record<string, unknown>) });
    }
    if ((m = path.match(ROUTES.cancel)) && req.method === 'POST') {
      if (!runs.cancel(m[4]!)) throw new ArmError(404, 'PipelineRunNotFound', `Pipeline run '${m[4]}' was not found.`);
      return send(res, 200, undefined);
    }
    if ((m = path.match(ROUTES.run)) && req.method === 'GET') {
      const run = runs.get(m[4]!);
      if (!run) throw new ArmError(404, 'PipelineRunNotFound', `Pipeline run '${m[4]}' was not found.`);
      return send(res, 200, RunStore.toResource(run));
    }
    if ((m = path.match(ROUTES.pipeline))) {
      const [, , , factory, name] = m as unknown as string[];
      const id = key(factory!, name!);
      if (req.method === 'PUT') {
        const body = (await readJson(req)) as { properties?: unknown } | undefined;
        if (!body || typeof body.properties !== 'object') {
          throw new ArmError(400, 'BadRequest', 'The request body must be a pipeline resource with properties.');
        }
        const resource = {
          id: path,
          name,
          type: 'Microsoft.DataFactory/factories/pipelines',
          properties: body.properties,
          etag: randomUUID(),
        };
        pipelines.set(id, resource);
        return send(res, 200, resource);
      }
      if (req.method === 'GET') {
        const resource = pipelines.get(id);
        if (!resource) throw new ArmError(404, 'NotFound', `Pipeline '${name}' was not found.`);
        return send(res, 200, resource);
      }
      if (req.method === 'DELETE') {
        const existed = pipelines.delete(id);
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
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function key(factory: string, pipeline: string): string {
  return `${factory.toLowerCase()}/${pipeline.toLowerCase()}`;
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

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'x-ms-request-id': randomUUID(),
    'content-length': Buffer.byteLength(text),
  });
  res.end(text);
}
