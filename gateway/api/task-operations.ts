import fs from 'node:fs';
import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client, type WorkflowExecutionInfo } from '@temporalio/client';
import { taskLogPath } from '../../activities/agent/task-log';
import { liveTaskProgress } from '../../activities/live-progress';
import type { ApprovalChannel } from '../../contracts/approval';
import type { AgentProgress } from '../../contracts/task';
import { approvalUpdate, taskStatusQuery } from '../../contracts/messages';
import { findTask, isTaskId, taskListQuery } from './task-lookup';

/**
 * What operators do to tasks, on top of the Temporal client, once for every way in: the HTTP API
 * (tasks-router.ts) and the operator MCP server (integrations/mcp/operator-server.ts).
 */

/** A refusal the caller can act on; `status` is the HTTP status the API answers with. */
export class TaskOperationError extends Error {
  override name = 'TaskOperationError';
  constructor(
    readonly status: 400 | 404 | 409,
    message: string,
  ) {
    super(message);
  }
}

/** A task as visibility lists it (snake_case: the HTTP API's and the MCP tools' shape). */
export interface TaskSummary {
  task_id: unknown;
  workflow_id: string;
  target: unknown;
  provider: unknown;
  /** The `AgentStatus` search attribute (`queued`, `running`, ...); `describeTask` puts the live `TaskStatus` there. */
  status: unknown;
  requester: unknown;
  workflow_status: string;
  started_at: string;
  closed_at?: string;
  /** Once the task ended: how, and its answer (from the task's query, which replays a closed task). */
  outcome?: string;
  answer?: string;
  /** While the agent runs: its live progress (the last heartbeat). */
  progress?: AgentProgress;
}

export interface TaskFilters {
  provider?: string | undefined;
  /** The thread's key, e.g. `acme/widgets#42`. */
  target?: string | undefined;
  status?: string | undefined;
}

/**
 * Tasks from Temporal visibility, newest first, at most `limit` (1 to 500).
 * @throws TaskOperationError 400 for a filter value that is not safe in a visibility query.
 */
export async function listTasks(client: Client, filters: TaskFilters, limit: number): Promise<TaskSummary[]> {
  let query: string;
  try {
    query = taskListQuery(filters);
  } catch (error) {
    throw new TaskOperationError(400, (error as Error).message);
  }
  const tasks: TaskSummary[] = [];
  for await (const execution of client.workflow.list({ query })) {
    tasks.push(summarizeTask(execution));
    if (tasks.length >= Math.min(500, Math.max(1, limit))) break;
  }
  return tasks;
}

/** @throws TaskOperationError 400 for a malformed id, 404 when no task has it. */
export async function requireTask(client: Client, taskId: string): Promise<WorkflowExecutionInfo> {
  if (!isTaskId(taskId)) throw new TaskOperationError(400, 'invalid task id');
  const execution = await findTask(client, taskId);
  if (execution === undefined) throw new TaskOperationError(404, `no task ${taskId}`);
  return execution;
}

/**
 * The task's description and, when a worker answers its query, its live `TaskStatus` in place of the
 * `status` search attribute (the HTTP API's shape since it began).
 */
export async function describeTask(client: Client, taskId: string): Promise<TaskSummary> {
  const execution = await requireTask(client, taskId);
  const running = execution.status.name === 'RUNNING';
  // The query needs a worker (on a closed task it replays the history); without one the description
  // still answers. The live progress is the agent run's last heartbeat, read from the server alone.
  const [status, progress] = await Promise.all([
    client.workflow.getHandle(execution.workflowId).query(taskStatusQuery).catch(() => undefined),
    running ? liveTaskProgress(client, execution.workflowId).catch(() => undefined) : undefined,
  ]);
  return {
    ...summarizeTask(execution),
    ...(status?.outcome === undefined ? {} : { outcome: status.outcome }),
    ...(status?.answer === undefined ? {} : { answer: status.answer }),
    ...(progress === undefined ? {} : { progress }),
    ...(status === undefined ? {} : { status }),
  };
}

/** Asks a running task to cancel (its agent is killed, its message finalized). @throws TaskOperationError 409 when it is not running. */
export async function cancelTask(client: Client, taskId: string): Promise<void> {
  const execution = await requireTask(client, taskId);
  if (execution.status.name !== 'RUNNING') throw new TaskOperationError(409, `task ${taskId} is not running (${execution.status.name.toLowerCase()})`);
  await client.workflow.getHandle(execution.workflowId).cancel();
}

/**
 * Approves or rejects a task waiting for approval, as a Temporal update: the answer says whether it counted.
 * @throws TaskOperationError 409 when nothing waits (or the task ended).
 */
export async function decideTask(client: Client, taskId: string, decision: 'approve' | 'reject', who: { by: string; via: ApprovalChannel; reason?: string | undefined }) {
  const execution = await requireTask(client, taskId);
  try {
    return await client.workflow.getHandle(execution.workflowId).executeUpdate(approvalUpdate, {
      args: [{ decision, by: who.by, via: who.via, trusted: true, ...(who.reason === undefined ? {} : { reason: who.reason }) }],
    });
  } catch (error) {
    if (error instanceof WorkflowUpdateFailedError) throw new TaskOperationError(409, error.cause?.message ?? 'the task refused the decision');
    if (error instanceof WorkflowNotFoundError) throw new TaskOperationError(409, `task ${taskId} is not running`);
    throw error;
  }
}

/** Bytes read from the end of a log for its tail: enough for a few hundred capped lines. */
const TAIL_BYTES = 256 * 1024;

/**
 * The last `lines` events of a task's `stream.jsonl` (parsed), read from the workers' data dir: the
 * caller must run where the workers write logs, or on a shared disk. Empty when there is no log yet.
 */
export function readLogTail(dataDir: string, taskId: string, lines: number): unknown[] {
  if (!isTaskId(taskId) || lines <= 0) return [];
  let fd: number;
  try {
    fd = fs.openSync(taskLogPath(dataDir, taskId), 'r');
  } catch {
    return [];
  }
  try {
    const size = fs.fstatSync(fd).size;
    const start = Math.max(0, size - TAIL_BYTES);
    const buffer = Buffer.alloc(size - start);
    fs.readSync(fd, buffer, 0, buffer.length, start);
    const text = buffer.toString('utf8').split('\n');
    // A read that starts mid-file starts mid-line: drop that partial first line.
    if (start > 0) text.shift();
    return text
      .filter((line) => line.trim() !== '')
      .slice(-lines)
      .map((line) => {
        try {
          return JSON.parse(line) as unknown;
        } catch {
          return { unparsed: line };
        }
      });
  } finally {
    fs.closeSync(fd);
  }
}

export function summarizeTask(execution: WorkflowExecutionInfo): TaskSummary {
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
