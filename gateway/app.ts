import type Router from '@koa/router';
import Koa from 'koa';
import type { StartTask } from './api/start-task';
import { createTasksRouter, type TasksApiOptions } from './api/tasks-router';
import { errorHandler, type GatewayErrorReport } from './error-handler';
import { createHealthRouter } from './health-router';
import { createMcpRouter } from './mcp-router';
import { createMetricsRouter, webhookMetrics, type GatewayMetrics } from './metrics';

export interface GatewayDeps {
  isTemporalReachable: () => Promise<boolean>;
  /** One router per provider (`/webhooks/<provider>...`), built from the config by the entry point. */
  routers: readonly Router[];
  /** The operators' API under /api and their MCP server at /mcp (bearer token). */
  api?: TasksApiOptions & { startTask: StartTask };
  log?: (message: string, meta: Record<string, unknown>, level?: 'warn' | 'error') => void;
  /** Every 5xx answered because of an error, besides the log: agent-bot's own errors, for Sentry. */
  reportError?: GatewayErrorReport;
  /** Webhooks counted and timed, and `GET /metrics` (Prometheus). */
  metrics?: GatewayMetrics;
}

export function createGatewayApp(deps: GatewayDeps): Koa {
  const app = new Koa();
  app.silent = true;
  // Outside the error handler: it sees the status the handler answered.
  if (deps.metrics !== undefined) app.use(webhookMetrics(deps.metrics));
  app.use(errorHandler(deps.reportError));
  const health = createHealthRouter(deps.isTemporalReachable);
  app.use(health.routes()).use(health.allowedMethods());
  if (deps.metrics !== undefined) app.use(createMetricsRouter(deps.metrics.registry).routes());
  for (const router of deps.routers) app.use(router.routes()).use(router.allowedMethods());
  if (deps.api !== undefined) {
    const tasks = createTasksRouter(deps.api);
    app.use(tasks.routes()).use(tasks.allowedMethods());
    app.use(createMcpRouter(deps.api).routes());
  }
  app.on('error', (error: unknown) => {
    deps.log?.('gateway error', { error: error instanceof Error ? error.stack ?? error.message : String(error) }, 'error');
  });
  return app;
}
