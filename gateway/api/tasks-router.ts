import Router from '@koa/router';
import type { Client } from '@temporalio/client';
import type { Context } from 'koa';
import { z } from 'zod';
import { taskLogPath } from '../../activities/agent/task-log';
import { AGENT_STATUS_VALUES } from '../../contracts/search-attributes';
import { THREAD_PROVIDERS } from '../../contracts/thread';
import { bearerAuth } from './bearer-auth';
import type { StartTask } from './start-task';
import { streamJsonLines } from './stream-file';
import { cancelTask, decideTask, describeTask, listTasks, requireTask, TaskOperationError } from './task-operations';

export interface TasksApiOptions {
  client: Client;
  /** AGENT_BOT_API_TOKEN; unset refuses every call. */
  token: string | undefined;
  /** Where the workers write task logs (the stream endpoint reads them: same machine or shared disk). */
  dataDir: string;
  /** `POST /api/tasks`: starts a task on an API thread, as the operator MCP tool does. */
  startTask: StartTask;
}

/**
 * The HTTP API, backed by Temporal: start a task on an API thread (answered once Temporal recorded it),
 * list and describe tasks from visibility, the task's own query (its plan and answer) and its agent
 * run's heartbeat, cancel them, approve or reject them (a Temporal update, so the answer says whether
 * anything was waiting), and follow a task's log live as Server-Sent Events. The operations themselves
 * are shared with the operator MCP server (task-operations.ts, start-task.ts).
 */
export function createTasksRouter(options: TasksApiOptions): Router {
  const { client } = options;
  // Every call to Temporal carries a deadline, so an unreachable server is a 503 in seconds, not after the
  // client's own retries (about 20 s). Not the log stream's later polls: they run as long as the task.
  const bounded = <T>(fn: () => Promise<T>): Promise<T> => client.withDeadline(Date.now() + TEMPORAL_CALL_DEADLINE_MS, fn);
  const router = new Router({ prefix: '/api/tasks' });
  router.use(bearerAuth(options.token));
  // A refusal of an operation is the client's to fix: its status and message, never a 500.
  router.use(async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      if (error instanceof TaskOperationError) ctx.throw(error.status, error.message);
      throw error;
    }
  });

  router.post('/', async (ctx) => {
    const body = await readJsonBody(ctx, '{"repo": "acme/widgets", "request": "explain the cache"}', { required: true });
    // Like a webhook: 202 only once Temporal has recorded the command; a failure is a 5xx the caller retries.
    const started = await options.startTask({ body, ...(ctx.get('Idempotency-Key') ? { idempotencyKey: ctx.get('Idempotency-Key') } : {}) });
    ctx.status = 202;
    ctx.body = { task_id: started.taskId, workflow_id: started.workflowId, thread: started.thread, thread_workflow_id: started.threadWorkflowId };
  });

  router.get('/', async (ctx) => {
    const parsed = listQuery.safeParse(ctx.query);
    if (!parsed.success) return ctx.throw(400, issuesMessage(parsed.error, '(query)'));
    const { limit, ...filters } = parsed.data;
    ctx.body = { tasks: await bounded(() => listTasks(client, filters, limit)) };
  });

  router.get('/:id', async (ctx) => {
    ctx.body = await bounded(() => describeTask(client, taskIdParam(ctx)));
  });

  router.post('/:id/cancel', async (ctx) => {
    await bounded(() => cancelTask(client, taskIdParam(ctx)));
    ctx.status = 202;
    ctx.body = { task_id: ctx.params['id'], cancelling: true };
  });

  for (const decision of ['approve', 'reject'] as const) {
    router.post(`/:id/${decision}`, async (ctx) => {
      const taskId = taskIdParam(ctx);
      const parsed = decisionBody.safeParse(await readJsonBody(ctx, '{"by": "alice", "reason": "..."}'));
      if (!parsed.success) return ctx.throw(400, issuesMessage(parsed.error, '(body)'));
      const ack = await bounded(() => decideTask(client, taskId, decision, { by: parsed.data.by ?? 'api', via: 'api', reason: parsed.data.reason }));
      ctx.body = { task_id: ack.taskId, decision: ack.decision, by: ack.by };
    });
  }

  router.get('/:id/stream', async (ctx) => {
    const execution = await bounded(() => requireTask(client, taskIdParam(ctx)));
    const handle = client.workflow.getHandle(execution.workflowId);
    let lastCheck = 0;
    // `?follow=false`: what the log holds now, then the end event (`agent logs` without -f).
    let done = execution.status.name !== 'RUNNING' || ctx.query['follow'] === 'false' || ctx.query['follow'] === '0';
    streamJsonLines(ctx, taskLogPath(options.dataDir, String(ctx.params['id'])), async () => {
      if (done || Date.now() - lastCheck < 1000) return done;
      lastCheck = Date.now();
      done = (await handle.describe()).status.name !== 'RUNNING';
      return done;
    });
  });

  return router;
}

/** How long one operator call may wait for Temporal before the API answers 503 (ms). */
const TEMPORAL_CALL_DEADLINE_MS = 7_000;

function taskIdParam(ctx: Context): string {
  return String((ctx as Context & { params: Record<string, string> }).params['id']);
}

/** `{"by": "alice", "reason": "..."}`, both optional: who decided (recorded) and why. Unknown fields are refused, not dropped. */
const decisionBody = z.strictObject({
  by: z.string().trim().min(1).max(100).optional(),
  reason: z.string().max(2_000).optional(),
});

/** `GET /api/tasks?provider=&target=&status=&limit=`: each filter optional, `limit` 1 to 500 (default 100). */
const listQuery = z.strictObject({
  provider: z.enum(THREAD_PROVIDERS).optional(),
  target: z.string().min(1).max(200).optional(),
  status: z.enum(AGENT_STATUS_VALUES).optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
});

/** `field: problem; field: problem`, the shape of every 400 the API answers; `whole` names a problem with no field. */
function issuesMessage(error: z.ZodError, whole: '(query)' | '(body)'): string {
  return error.issues.map((issue) => `${issue.path.join('.') || whole}: ${issue.message}`).join('; ');
}

/**
 * A small JSON object body (`example` says what is expected in the 400); an empty body is `{}` unless
 * `required`. Anything malformed is a 400, anything over 64 KB a 413.
 */
async function readJsonBody(ctx: Context, example: string, options: { required?: boolean } = {}): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) ctx.throw(413, 'body larger than 64 KB');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '' && options.required !== true) return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  ctx.throw(400, `(body): expected a JSON object such as ${example}`);
}
