import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Registry } from 'prom-client';
import type { Config } from '../config/load';
import { installTemporalRuntime } from './telemetry';
import { WorkerMetrics } from './worker-metrics';

/** Longest a scrape waits for the SDK's exporter; Prometheus' own default scrape timeout is 10 s. */
const SDK_SCRAPE_TIMEOUT_MS = 2_000;

export interface MetricsServer {
  /** `http://host:port`; `/metrics` and `/health` below it. */
  url: string;
  close(): Promise<void>;
}

/**
 * A worker's metrics port: `GET /metrics` answers agent-bot's registry followed by the Temporal SDK's own
 * metrics, fetched from its exporter on loopback at each scrape (one port per process to scrape, the SDK's
 * exporter never exposed), and `agent_bot_temporal_sdk_metrics_up` (1, or 0 when the exporter did not
 * answer: the rest is still served). `GET /health` answers 200 while the process's event loop does.
 * @throws Error when the port cannot be bound (taken, not allowed): the worker does not start without it.
 */
export async function startMetricsServer(options: { host: string; port: number; registry: Registry; sdkMetricsUrl?: string }): Promise<MetricsServer> {
  const { registry, sdkMetricsUrl } = options;
  const server = http.createServer((req, res) => {
    const path = (req.url ?? '/').split('?')[0];
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    if (path === '/health') {
      res.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
      return;
    }
    if (path !== '/metrics') {
      res.writeHead(404).end();
      return;
    }
    void Promise.all([registry.metrics(), sdkMetricsUrl === undefined ? Promise.resolve(undefined) : sdkMetrics(sdkMetricsUrl)]).then(
      ([ours, sdk]) => {
        const up = sdkMetricsUrl === undefined ? '' : `# HELP agent_bot_temporal_sdk_metrics_up Whether the Temporal SDK's metrics answered this scrape.\n# TYPE agent_bot_temporal_sdk_metrics_up gauge\nagent_bot_temporal_sdk_metrics_up ${sdk === undefined ? 0 : 1}\n`;
        res.writeHead(200, { 'content-type': registry.contentType }).end(`${ours.endsWith('\n') ? ours : `${ours}\n`}${up}${sdk ?? ''}`);
      },
      () => res.writeHead(500).end(),
    );
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  const host = options.host === '0.0.0.0' || options.host === '::' ? 'localhost' : options.host;
  return {
    url: `http://${host}:${port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}

/** The SDK exporter's text, or undefined when it does not answer in time. */
async function sdkMetrics(url: string): Promise<string | undefined> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(SDK_SCRAPE_TIMEOUT_MS) });
    if (!response.ok) return undefined;
    const text = await response.text();
    return text.endsWith('\n') || text === '' ? text : `${text}\n`;
  } catch {
    return undefined;
  }
}

/**
 * A worker process's telemetry, before it connects to Temporal: the Temporal runtime (logs through pino;
 * with METRICS_PORT, the SDK's metrics exporter), the worker's metrics and their port. METRICS_PORT `0` or
 * `off`: the runtime only, and nothing is counted.
 * @throws Error when the runtime is installed already or METRICS_PORT cannot be bound.
 */
export async function startWorkerMetrics(config: Pick<Config, 'METRICS_PORT' | 'METRICS_HOST' | 'AGENT_KIND'>): Promise<{ metrics?: WorkerMetrics; server?: MetricsServer }> {
  const telemetry = await installTemporalRuntime({ sdkMetrics: config.METRICS_PORT !== undefined });
  if (config.METRICS_PORT === undefined) return {};
  const metrics = new WorkerMetrics({ agentKind: config.AGENT_KIND, processMetrics: true });
  const server = await startMetricsServer({ host: config.METRICS_HOST, port: config.METRICS_PORT, registry: metrics.registry, ...telemetry });
  return { metrics, server };
}
