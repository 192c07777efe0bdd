import type { Client, WorkflowExecutionInfo } from '@temporalio/client';

/** Task ids are what the webhook answered with; they never contain quotes, but a caller could send some. */
const TASK_ID = /^[A-Za-z0-9_-]{1,100}$/;

export function isTaskId(value: string): boolean {
  return TASK_ID.test(value);
}

/** The task workflow with this task id, found through the `AgentTaskId` search attribute. */
export async function findTask(client: Client, taskId: string): Promise<WorkflowExecutionInfo | undefined> {
  if (!isTaskId(taskId)) return undefined;
  for await (const execution of client.workflow.list({ query: `AgentTaskId = "${taskId}"` })) return execution;
  return undefined;
}

/** Visibility query for `GET /api/tasks` filters; every value is checked before it reaches the query. */
export function taskListQuery(filters: { provider?: string; target?: string; status?: string }): string {
  const parts = ['WorkflowType = "taskWorkflow"'];
  const safe = (value: string): string => {
    if (!/^[\w./#:@-]{1,200}$/.test(value)) throw new Error(`invalid filter value: ${value}`);
    return value;
  };
  if (filters.provider !== undefined) parts.push(`AgentProvider = "${safe(filters.provider)}"`);
  if (filters.target !== undefined) parts.push(`AgentTarget = "${safe(filters.target)}"`);
  if (filters.status !== undefined) parts.push(`AgentStatus = "${safe(filters.status)}"`);
  return parts.join(' AND ');
}
