// The Temporal runtime is one per process and can be installed only once, before the first connection,
// so the process's entry point installs it (src/workers/main.ts; tests: test/support/stack.ts). With
// metrics configured its Prometheus exporter listens on 127.0.0.1:<runtimePort> only; the metrics
// endpoint (endpoint.ts) reads it and serves its metrics after azbackup's: one scrape target per worker.
import { Runtime, type RuntimeOptions } from '@temporalio/worker';
import type { MetricsConfig } from '../config/schema';

/** Where the runtime's own exporter listens: loopback, `runtimePort` (default: the endpoint's port + 1). */
export function runtimeMetricsAddress(config: MetricsConfig): { host: string; port: number } {
  return { host: '127.0.0.1', port: config.runtimePort ?? config.port + 1 };
}

/** `options` plus, when metrics are configured, the runtime's Prometheus exporter. */
export function runtimeOptions(metrics: MetricsConfig | undefined, options: RuntimeOptions = {}): RuntimeOptions {
  if (!metrics) return options;
  const { host, port } = runtimeMetricsAddress(metrics);
  return {
    ...options,
    telemetryOptions: { ...options.telemetryOptions, metrics: { prometheus: { bindAddress: `${host}:${port}` } } },
  };
}

/** Installs the process's runtime; throws if one is already installed or in use. */
export function installRuntime(metrics: MetricsConfig | undefined, options: RuntimeOptions = {}): Runtime {
  return Runtime.install(runtimeOptions(metrics, options));
}
