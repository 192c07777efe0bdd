import Router from '@koa/router';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client, type WorkflowExecutionInfo } from '@temporalio/client';
import type { Context } from 'koa';
import { z } from 'zod';
import { taskLogPath } from '../../activities/agent/task-log';
import { approvalUpdate, taskStatusQuery } from '../../contracts/messages';
import { bearerAuth } from './bearer-auth';
import { streamJsonLines } from './stream-file';
import { findTask, isTaskId, taskListQuery } from './task-lookup';

export interface TasksApiOptions {
  client: Client;
  /** AGENT_BOT_API_TOKEN; unset refuses every call. */
  token: string | undefined;
  /** Where the workers write task logs (the stream endpoint reads them: same machine or shared disk). */
  dataDir: string;
}

/**
 * The operators' HTTP API, backed by Temporal: list and describe tasks from visibility and the task's
 * own query, cancel them, approve or reject them (a Temporal update, so the answer says whether
 * anything was waiting), and follow a task's log live as Server-Sent Events.
 */
export function createTasksRouter(options: TasksApiOptions): Router {
  const { client } = options;
  const router = new Router({ prefix: '/api/tasks' });
  router.use(bearerAuth(options.token));

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
    // The query needs a worker; without one the description still answers.
    const status = await handle.query(taskStatusQuery).catch(() => undefined);
    ctx.body = { ...summarize(execution), ...(status === undefined ? {} : { status }) };
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
      const parsed = decisionBody.safeParse(await readJsonBody(ctx));
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
    let done = execution.status.name !== 'RUNNING';
    streamJsonLines(ctx, taskLogPath(options.dataDir, String(ctx.params['id'])), async () => {
      if (done || Date.now() - lastCheck < 1000) return done;
      lastCheck = Date.now();
      done = (await handle.describe()).status.name !== 'RUNNING';
      return done;
    });
  });

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

/** An optional small JSON body (`{"by": "...", "reason": "..."}`); anything malformed is a 400. */
async function readJsonBody(ctx: Context): Promise<Record<string, unknown>> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of ctx.req) {
    size += (chunk as Buffer).length;
    if (size > 64 * 1024) ctx.throw(413, 'body larger than 64 KB');
    chunks.push(chunk as Buffer);
  }
  const text = Buffer.concat(chunks).toString('utf8').trim();
  if (text === '') return {};
  try {
    const parsed: unknown = JSON.parse(text);
    if (typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)) return parsed as Record<string, unknown>;
  } catch {
    // fall through
  }
  ctx.throw(400, 'body must be a JSON object such as {"by": "alice", "reason": "..."}');
}
