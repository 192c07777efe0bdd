import Koa from 'koa';
import { createTasksRouter, type TasksApiOptions } from './api/tasks-router';
import type { Dispatcher } from './dispatcher';
import { errorHandler } from './error-handler';
import { createGithubWebhookRouter } from './github/router';
import type { RoutingPolicy } from '../integrations/github/route-event';
import { createHealthRouter } from './health-router';

export interface GatewayDeps {
  dispatcher: Dispatcher;
  isTemporalReachable: () => Promise<boolean>;
  github: RoutingPolicy & { secrets: readonly string[] };
  /** The operators' API under /api (bearer token). */
  api?: TasksApiOptions;
  log?: (message: string, meta: Record<string, unknown>) => void;
}

export function createGatewayApp(deps: GatewayDeps): Koa {
  const app = new Koa();
  app.silent = true;
  app.use(errorHandler());
  const health = createHealthRouter(deps.isTemporalReachable);
  const github = createGithubWebhookRouter({ ...deps.github, dispatcher: deps.dispatcher, ...(deps.log ? { log: deps.log } : {}) });
  app.use(health.routes()).use(health.allowedMethods());
  app.use(github.routes()).use(github.allowedMethods());
  if (deps.api !== undefined) {
    const tasks = createTasksRouter(deps.api);
    app.use(tasks.routes()).use(tasks.allowedMethods());
  }
  app.on('error', (error: unknown) => {
    deps.log?.('gateway error', { error: error instanceof Error ? error.stack ?? error.message : String(error) });
  });
  return app;
}
