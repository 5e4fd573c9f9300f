// The worker's Prometheus endpoint: GET /metrics answers azbackup's metrics (azbackup-metrics.ts),
// then the Temporal runtime's own, read from its exporter on loopback (runtime.ts) at each scrape.
// When that exporter does not answer (a runtime installed without metrics), azbackup's metrics are
// still served, with `azbackup_runtime_metrics_up 0`.
import type { ActivityInterceptorsFactory } from '@temporalio/worker';
import { createServer, type Server } from 'node:http';
import type { MetricsConfig } from '../config/schema';
import { AzbackupMetrics } from './azbackup-metrics';
import { metricsInterceptor } from './interceptor';
import { runtimeMetricsAddress } from './runtime';

const CONTENT_TYPE = 'text/plain; version=0.0.4; charset=utf-8';
const RUNTIME_TIMEOUT_MS = 5_000;

export interface MetricsEndpoint {
  readonly metrics: AzbackupMetrics;
  /** Register with the worker: `interceptors: { activity: [endpoint.interceptor] }`. */
  readonly interceptor: ActivityInterceptorsFactory;
  /** http://host:port/metrics as configured. */
  readonly url: string;
  close(): Promise<void>;
}

/** The endpoint cannot listen (port taken, host not an address of this machine): names the settings. */
export class MetricsListenError extends Error {
  constructor(config: MetricsConfig, cause: unknown) {
    super(
      `worker.metrics: cannot listen on host ${config.host} port ${config.port} (${(cause as Error).message}); ` +
        'choose another port or host, or stop what listens there',
      { cause },
    );
    this.name = 'MetricsListenError';
  }
}

export async function startMetricsEndpoint(config: MetricsConfig): Promise<MetricsEndpoint> {
  const metrics = new AzbackupMetrics();
  const runtime = runtimeMetricsAddress(config);
  const runtimeUrl = `http://${runtime.host}:${runtime.port}/metrics`;
  const scrape = async (): Promise<string> => {
    const theirs = await readRuntimeMetrics(runtimeUrl);
    metrics.runtimeUp = theirs !== undefined;
    const ours = metrics.registry.render();
    if (!theirs) return ours;
    return ours + theirs + (theirs.endsWith('\n') ? '' : '\n');
  };
  const server = createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (path !== '/metrics' || (req.method !== 'GET' && req.method !== 'HEAD')) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('azbackup worker: metrics are at /metrics\n');
      return;
    }
    scrape().then(
      (body) => res.writeHead(200, { 'content-type': CONTENT_TYPE }).end(req.method === 'HEAD' ? undefined : body),
      (err: unknown) => res.writeHead(500, { 'content-type': 'text/plain' }).end(`${(err as Error).message}\n`),
    );
  });
  await listen(server, config);
  return {
    metrics,
    interceptor: metricsInterceptor(metrics),
    url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${config.port}/metrics`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

function listen(server: Server, config: MetricsConfig): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', (err) => reject(new MetricsListenError(config, err)));
    server.listen({ port: config.port, host: config.host }, () => resolve());
  });
}

/** The runtime exporter's text, or undefined when it does not answer. */
async function readRuntimeMetrics(url: string): Promise<string | undefined> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(RUNTIME_TIMEOUT_MS) });
    return res.ok ? await res.text() : undefined;
  } catch {
    return undefined;
  }
}
