import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import { taskWorkflowId, threadWorkflowId, type ThreadRef } from '../../contracts/thread';
import { routeApiRequest } from '../../integrations/api/route-request';
import { apiAddress } from '../../integrations/api/thread';
import type { CommandPolicy } from '../../integrations/thread-command';
import type { Dispatcher } from '../dispatcher';
import { TaskOperationError } from './task-operations';

/** A request to start a task on an API thread: the body of `POST /api/tasks`, and its idempotency key. */
export interface StartTaskRequest {
  /** `{repo, request, thread?, callback_url?, request_id?, requester?}`, validated here. */
  body: unknown;
  /** The `Idempotency-Key` header: a retried request with the same key starts nothing new. */
  idempotencyKey?: string;
}

export interface StartedTask {
  taskId: string;
  /** The task's own workflow (what `GET /api/tasks/<id>` describes). */
  workflowId: string;
  /** The API thread's id (`api:<id>`): `thread` in a later request continues it. */
  thread: string;
  threadWorkflowId: string;
}

/** Starts a task on an API thread: `POST /api/tasks` and the operator MCP server's `start-task`. */
export type StartTask = (request: StartTaskRequest) => Promise<StartedTask>;

/**
 * The one way to start a task without a chat tool: the request is read like any thread's (a `fix …`
 * plans first and waits for approval), recorded through the dispatcher the webhooks use, and answered
 * only once Temporal has it.
 * @throws TaskOperationError 400 for a bad body, 409 for a repository or callback that differs from the running thread's.
 */
export function createApiTaskStarter(client: Client, dispatcher: Dispatcher, policy: CommandPolicy): StartTask {
  return async ({ body, idempotencyKey }) => {
    const routed = routeApiRequest(body, idempotencyKey, policy);
    if (routed.kind === 'invalid') throw new TaskOperationError(400, routed.message);
    const { thread, command } = routed;
    if (routed.continues) await refuseChangedThread(client, thread);
    const { workflowId } = await dispatcher.dispatchCommand(thread, command);
    return { taskId: command.taskId, workflowId: taskWorkflowId(workflowId, command.taskId), thread: thread.key, threadWorkflowId: workflowId };
  };
}

/**
 * A thread keeps the repository and the callback of the request that started it (the conversation keeps
 * the thread for its whole life): a request that continues a running thread must name the same
 * repository, and may repeat the callback or leave it out, but never name another; either would be
 * silently ignored. Read from the first event of the conversation's current run, so no worker is needed.
 * @throws TaskOperationError 409 when the running thread has another repository or callback.
 */
async function refuseChangedThread(client: Client, thread: ThreadRef): Promise<void> {
  const running = await runningThread(client, threadWorkflowId(thread));
  if (running === undefined) return; // a new run starts with this request's thread
  if (running.repo !== thread.repo) {
    throw new TaskOperationError(409, `repo: thread ${thread.key} works on ${running.repo ?? 'no repository'}; a thread keeps the repository of the request that started it (leave out "thread" to start a new one on ${thread.repo ?? 'it'})`);
  }
  const wanted = apiAddress(thread).callbackUrl;
  if (wanted === undefined) return;
  const current = apiAddress(running).callbackUrl;
  if (current !== wanted) {
    throw new TaskOperationError(409, `callback_url: thread ${thread.key} was started ${current === undefined ? 'without a callback' : 'with another callback_url'}; a thread keeps the callback of the request that started it`);
  }
}

/** The thread the conversation's current run was started with; undefined when no run is open. */
async function runningThread(client: Client, workflowId: string): Promise<ThreadRef | undefined> {
  let runId: string;
  try {
    const description = await client.workflow.getHandle(workflowId).describe();
    if (description.status.name !== 'RUNNING') return undefined;
    runId = description.runId;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
  const { history } = await client.workflowService.getWorkflowExecutionHistory({ namespace: client.options.namespace, execution: { workflowId, runId }, maximumPageSize: 1 });
  const payload = history?.events?.[0]?.workflowExecutionStartedEventAttributes?.input?.payloads?.[0];
  const input: unknown = payload === undefined || payload === null ? undefined : client.options.loadedDataConverter.payloadConverter.fromPayload(payload);
  return (input as { thread?: ThreadRef } | undefined)?.thread;
}
