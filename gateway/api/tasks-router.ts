import Router from '@koa/router';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client, type WorkflowExecutionInfo } from '@temporalio/client';
import type { Context } from 'koa';
import { z } from 'zod';
import { taskLogPath } from '../../activities/agent/task-log';
import { liveTaskProgress } from '../../activities/live-progress';
import { approvalUpdate, taskStatusQuery } from '../../contracts/messages';
import { taskWorkflowId, threadWorkflowId, type ThreadRef } from '../../contracts/thread';
import { routeApiRequest } from '../../integrations/api/route-request';
import { apiAddress } from '../../integrations/api/thread';
import type { CommandPolicy } from '../../integrations/thread-command';
import type { Dispatcher } from '../dispatcher';
import { bearerAuth } from './bearer-auth';
import { streamJsonLines } from './stream-file';
import { findTask, isTaskId, taskListQuery } from './task-lookup';

export interface TasksApiOptions {
  client: Client;
  /** AGENT_BOT_API_TOKEN; unset refuses every call. */
  token: string | undefined;
  /** Where the workers write task logs (the stream endpoint reads them: same machine or shared disk). */
  dataDir: string;
  /** Hands `POST /api/tasks` to Temporal, as the webhooks do. */
  dispatcher: Dispatcher;
  /** How a request's words are read (commands that need approval), the same as on every thread. */
  policy: CommandPolicy;
}

/**
 * The HTTP API, backed by Temporal: start a task on an API thread (answered once Temporal recorded it),
 * list and describe tasks from visibility, the task's own query (its plan and answer) and its agent
 * run's heartbeat, cancel them, approve or reject them (a Temporal update, so the answer says whether
 * anything was waiting), and follow a task's log live as Server-Sent Events.
 */
export function createTasksRouter(options: TasksApiOptions): Router {
  const { client } = options;
  const router = new Router({ prefix: '/api/tasks' });
  router.use(bearerAuth(options.token));

  router.post('/', async (ctx) => {
    const body = await readJsonBody(ctx, '{"repo": "acme/widgets", "request": "explain the cache"}', { required: true });
    const routed = routeApiRequest(body, ctx.get('Idempotency-Key') || undefined, options.policy);
    if (routed.kind === 'invalid') return ctx.throw(400, routed.message);
    const { thread, command } = routed;
    if (routed.continues) await refuseOtherCallback(ctx, thread);
    // Like a webhook: 202 only once Temporal has recorded the command; a failure is a 5xx the caller retries.
    const { workflowId } = await options.dispatcher.dispatchCommand(thread, command);
    ctx.status = 202;
    ctx.body = { task_id: command.taskId, workflow_id: taskWorkflowId(workflowId, command.taskId), thread: thread.key, thread_workflow_id: workflowId };
  });

  router.get('/', async (ctx) => {
    const filter = (name: string): string | undefined => (typeof ctx.query[name] === 'string' ? (ctx.query[name]) : undefined);
    let query = '';
    try {
      query = taskListQuery({ provider: filter('provider'), target: filter('target'), status: filter('status') });
    } catch (error) {
      ctx.throw(400, (error as Error).message);
    }
    const limit = Math.min(500, Math.max(1, Number(filter('limit') ?? 100) || 100));
    const tasks = [];
    for await (const execution of client.workflow.list({ query })) {
      tasks.push(summarize(execution));
      if (tasks.length >= limit) break;
    }
    ctx.body = { tasks };
  });

  router.get('/:id', async (ctx) => {
    const execution = await requireTask(ctx);
    const handle = client.workflow.getHandle(execution.workflowId);
    const running = execution.status.name === 'RUNNING';
    // The query needs a worker (on a closed task it replays the history); without one the description
    // still answers. The live progress is the agent run's last heartbeat, read from the server alone.
    const [status, progress] = await Promise.all([
      handle.query(taskStatusQuery).catch(() => undefined),
      running ? liveTaskProgress(client, execution.workflowId).catch(() => undefined) : undefined,
    ]);
    ctx.body = {
      ...summarize(execution),
      ...(status?.outcome === undefined ? {} : { outcome: status.outcome }),
      ...(status?.answer === undefined ? {} : { answer: status.answer }),
      ...(progress === undefined ? {} : { progress }),
      ...(status === undefined ? {} : { status }),
    };
  });

  router.post('/:id/cancel', async (ctx) => {
    const execution = await requireTask(ctx);
    if (execution.status.name !== 'RUNNING') ctx.throw(409, `task ${ctx.params['id']} is not running (${execution.status.name.toLowerCase()})`);
    await client.workflow.getHandle(execution.workflowId).cancel();
    ctx.status = 202;
    ctx.body = { task_id: ctx.params['id'], cancelling: true };
  });

  for (const decision of ['approve', 'reject'] as const) {
    router.post(`/:id/${decision}`, async (ctx) => {
      const execution = await requireTask(ctx);
      const parsed = decisionBody.safeParse(await readJsonBody(ctx, '{"by": "alice", "reason": "..."}'));
      if (!parsed.success) return ctx.throw(400, `invalid body: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
      const by = parsed.data.by ?? 'api';
      const reason = parsed.data.reason;
      try {
        const ack = await client.workflow.getHandle(execution.workflowId).executeUpdate(approvalUpdate, {
          args: [{ decision, by, via: 'api', trusted: true, ...(reason === undefined ? {} : { reason }) }],
        });
        ctx.body = { task_id: ack.taskId, decision: ack.decision, by: ack.by };
      } catch (error) {
        if (error instanceof WorkflowUpdateFailedError) ctx.throw(409, error.cause?.message ?? 'the task refused the decision');
        if (error instanceof WorkflowNotFoundError) ctx.throw(409, `task ${ctx.params['id']} is not running`);
        throw error;
      }
    });
  }

  router.get('/:id/stream', async (ctx) => {
    const execution = await requireTask(ctx);
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

  /**
   * A thread's callback is set by the request that starts it (it is part of the thread, which the
   * conversation keeps for its whole life): a request that continues a running thread may repeat it, or
   * leave it out, but never name another, which would be silently ignored. Read from the first event of
   * the conversation's current run, so no worker is needed.
   */
  async function refuseOtherCallback(ctx: Context, thread: ThreadRef): Promise<void> {
    const wanted = apiAddress(thread).callbackUrl;
    if (wanted === undefined) return;
    const workflowId = threadWorkflowId(thread);
    let runId: string;
    try {
      const description = await client.workflow.getHandle(workflowId).describe();
      if (description.status.name !== 'RUNNING') return; // a new run starts with this request's thread
      runId = description.runId;
    } catch (error) {
      if (error instanceof WorkflowNotFoundError) return;
      throw error;
    }
    const { history } = await client.workflowService.getWorkflowExecutionHistory({ namespace: client.options.namespace, execution: { workflowId, runId }, maximumPageSize: 1 });
    const payload = history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
    const input: unknown = payload === undefined || payload === null ? undefined : client.options.loadedDataConverter.payloadConverter.fromPayload(payload);
    const running = (input as { thread?: ThreadRef } | undefined)?.thread;
    const current = running === undefined ? undefined : apiAddress(running).callbackUrl;
    if (current !== wanted) {
      ctx.throw(409, `callback_url: thread ${thread.key} was started ${current === undefined ? 'without a callback' : 'with another callback_url'}; a thread keeps the callback of the request that started it`);
    }
  }

  async function requireTask(ctx: Context) {
    const id = String((ctx as Context & { params: Record<string, string> }).params['id']);
    if (!isTaskId(id)) ctx.throw(400, 'invalid task id');
    const execution = await findTask(client, id);
    if (execution === undefined) ctx.throw(404, `no task ${id}`);
    return execution;
  }

  return router;
}

function summarize(execution: WorkflowExecutionInfo) {
  const attribute = (name: string): unknown => (execution.searchAttributes[name] as readonly unknown[] | undefined)?.[0];
  return {
    task_id: attribute('AgentTaskId'),
    workflow_id: execution.workflowId,
    target: attribute('AgentTarget'),
    provider: attribute('AgentProvider'),
    status: attribute('AgentStatus'),
    requester: attribute('AgentRequester'),
    workflow_status: execution.status.name,
    started_at: execution.startTime.toISOString(),
    ...(execution.closeTime === undefined ? {} : { closed_at: execution.closeTime.toISOString() }),
  };
}

/** `{"by": "alice", "reason": "..."}`, both optional: who decided (recorded) and why. */
const decisionBody = z.object({
  by: z.string().trim().min(1).max(100).optional(),
  reason: z.string().max(2_000).optional(),
});

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
