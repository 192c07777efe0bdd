import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { Client, type Connection } from '@temporalio/client';
import type { Config } from '../config/load';
import { createGatewayApp } from '../gateway/app';
import { createApiTaskStarter } from '../gateway/api/start-task';
import { createTemporalDispatcher } from '../gateway/dispatcher';
import { GatewayMetrics, instrumentDispatcher } from '../gateway/metrics';
import { errorReporter, type ErrorReporter } from './error-reporting';
import { commandPolicy, providerRouters } from './gateway-routers';
import type { Logger } from './logger';

/** Longer than any dispatch takes; GitHub itself gives up after 10 s. */
const CLOSE_GRACE_MS = 5_000;

export interface RunningGateway {
  url: string;
  close(): Promise<void>;
}

/**
 * Starts the HTTP gateway on GATEWAY_HOST:GATEWAY_PORT (port 0 picks a free one), with `GET /metrics`.
 * Its unexpected errors (5xx) go to `reporter`, by default the one the process started.
 */
export async function startGateway(options: { config: Config; connection: Connection; log: Logger; port?: number; reporter?: ErrorReporter; metrics?: GatewayMetrics }): Promise<RunningGateway & { metrics: GatewayMetrics }> {
  const { config, connection, log } = options;
  const reporter = options.reporter ?? errorReporter();
  const metrics = options.metrics ?? new GatewayMetrics();
  const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
  const dispatcher = instrumentDispatcher(createTemporalDispatcher(client, config.TEMPORAL_TASK_QUEUE), metrics);
  const app = createGatewayApp({
    routers: providerRouters({ config, dispatcher, log }),
    isTemporalReachable: async () => {
      await connection.withDeadline(Date.now() + 2000, () => connection.workflowService.getSystemInfo({}));
      return true;
    },
    api: { client, token: config.AGENT_BOT_API_TOKEN, dataDir: config.AGENT_BOT_DATA_DIR, startTask: createApiTaskStarter(client, dispatcher, commandPolicy(config)) },
    log,
    metrics,
    reportError: (error, ctx) =>
      reporter.capture(error, {
        // The route pattern (`/api/tasks/:id`), so one bug is one issue whatever the ids in the path.
        tags: { route: routePattern(ctx) ?? ctx.path, method: ctx.method, status: ctx.status },
        request: { method: ctx.method, url: ctx.path, headers: ctx.headers },
      }),
  });
  const handle = app.callback();
  const server = http.createServer((req, res) => void handle(req, res));
  // A webhook must be answered within 10 s by GitHub's clock; a stuck request should not hold a socket forever.
  server.requestTimeout = 30_000;
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? config.GATEWAY_PORT, config.GATEWAY_HOST, resolve);
  });
  const { port } = server.address() as AddressInfo;
  const host = config.GATEWAY_HOST === '0.0.0.0' || config.GATEWAY_HOST === '::' ? 'localhost' : config.GATEWAY_HOST;
  return {
    url: `http://${host}:${port}`,
    metrics,
    async close() {
      // Requests in flight get their answer (GitHub counts a cut connection as a failed delivery); idle
      // keep-alive connections close now, and anything still open after the grace period is cut.
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      const cutter = setTimeout(() => server.closeAllConnections(), CLOSE_GRACE_MS);
      await closed;
      clearTimeout(cutter);
    },
  };
}

/** The route pattern @koa/router matched, when one did. */
function routePattern(ctx: object): string | undefined {
  const matched = (ctx as { _matchedRoute?: unknown })._matchedRoute;
  return typeof matched === 'string' ? matched : undefined;
}
