import path from 'node:path';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { JanitorSurvey, LogFacts, TargetFacts, WorkflowFacts, WorkspaceFacts } from '../../contracts/janitor';
import { statusQuery } from '../../contracts/messages';
import { AgentTaskId } from '../../contracts/search-attributes';
import { workflowIdOfWorkspace } from '../agent/workspace';
import { folderRoot, listFolders, measureFolder } from './folders';

export interface SurveyDeps {
  client: Client;
  dataDir: string;
  /** Called often during long walks: the activity heartbeats here. */
  beat: (details: Record<string, unknown>) => void;
}

const QUERY_DEADLINE_MS = 10_000;
const TASK_ID_BATCH = 50;

/** Facts only, no decision: running targets and their status, every workspace and log folder, measured. */
export async function surveyJanitor(deps: SurveyDeps, input: { taskQueue: string }): Promise<JanitorSurvey> {
  const problems: string[] = [];
  const surveyedAt = new Date().toISOString();
  const targets = await runningTargets(deps, input.taskQueue);
  const runningTasks = await runningTaskWorkflowIds(deps.client);

  const workspaces: WorkspaceFacts[] = [];
  const knownTargets = new Map(targets.map((target) => [target.workflowId, target]));
  for (const segments of await listFolders(deps.dataDir, 'workspace')) {
    const dir = path.join(folderRoot(deps.dataDir, 'workspace'), ...segments);
    const workflowId = workflowIdOfWorkspace(segments);
    if (workflowId === undefined) {
      problems.push(`not a workspace folder, left alone: ${dir}`);
      continue;
    }
    const target = knownTargets.get(workflowId) ?? (await describe(deps.client, workflowId));
    const runningTaskIds = runningTasks.filter((id) => id.startsWith(`${workflowId}/task/`)).map(taskIdOf);
    workspaces.push({ ...(await measure(deps, dir)), target, runningTaskIds });
  }

  const logs: LogFacts[] = [];
  const logFolders = (await listFolders(deps.dataDir, 'log')).map(([taskId = '']) => taskId);
  const runningTaskIds = new Map(runningTasks.map((id) => [taskIdOf(id), id]));
  const recorded = await tasksById(deps, logFolders.filter((taskId) => !runningTaskIds.has(taskId)), problems);
  for (const taskId of logFolders) {
    const running = runningTaskIds.get(taskId);
    const task: WorkflowFacts = running !== undefined
      ? { workflowId: running, state: 'running' }
      : recorded.get(taskId) ?? { workflowId: `(task ${taskId})`, state: 'not_found' };
    logs.push({ ...(await measure(deps, path.join(folderRoot(deps.dataDir, 'log'), taskId))), taskId, task });
  }
  return { surveyedAt, targets, workspaces, logs, problems };
}

async function runningTargets(deps: SurveyDeps, taskQueue: string): Promise<TargetFacts[]> {
  const query = `WorkflowType = "targetWorkflow" AND ExecutionStatus = "Running" AND TaskQueue = ${JSON.stringify(taskQueue)}`;
  const targets: TargetFacts[] = [];
  for await (const execution of deps.client.workflow.list({ query })) {
    deps.beat({ phase: 'targets', count: targets.length });
    targets.push({ workflowId: execution.workflowId, state: 'running', ...(await targetStatus(deps.client, execution.workflowId)) });
  }
  return targets;
}

async function targetStatus(client: Client, workflowId: string): Promise<Pick<TargetFacts, 'status' | 'statusError'>> {
  try {
    const status = await client.withDeadline(Date.now() + QUERY_DEADLINE_MS, () => client.workflow.getHandle(workflowId).query(statusQuery));
    return {
      status: {
        phase: status.phase,
        ...(status.current === undefined ? {} : { currentTaskId: status.current.taskId }),
        queued: status.queued.length,
        // Absent in runs started before deferred requests existed.
        deferred: ((status as { deferred?: unknown[] }).deferred)?.length ?? 0,
        lastActivityAt: status.lastActivityAt,
      },
    };
  } catch (error) {
    return { statusError: error instanceof Error ? error.message : String(error) };
  }
}

/** Every running task workflow, whatever its queue: a folder of any of them is never removed. */
export async function runningTaskWorkflowIds(client: Client): Promise<string[]> {
  const ids: string[] = [];
  for await (const execution of client.workflow.list({ query: 'WorkflowType = "taskWorkflow" AND ExecutionStatus = "Running"' })) {
    ids.push(execution.workflowId);
  }
  return ids;
}

/** A workspace's target, by id: describe is consistent, where the list may lag a just-started run. */
async function describe(client: Client, workflowId: string): Promise<TargetFacts> {
  try {
    const description = await client.workflow.getHandle(workflowId).describe();
    if (description.status.name === 'RUNNING') return { workflowId, state: 'running' };
    return { workflowId, state: 'closed', ...(description.closeTime === undefined ? {} : { closeTime: description.closeTime.toISOString() }) };
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return { workflowId, state: 'not_found' };
    throw error;
  }
}

/** Closed task workflows by `AgentTaskId`, in batches; a task without the attribute counts as no record. */
async function tasksById(deps: SurveyDeps, taskIds: string[], problems: string[]): Promise<Map<string, WorkflowFacts>> {
  const found = new Map<string, WorkflowFacts>();
  for (let start = 0; start < taskIds.length; start += TASK_ID_BATCH) {
    const batch = taskIds.slice(start, start + TASK_ID_BATCH);
    const query = `AgentTaskId IN (${batch.map((id) => JSON.stringify(id)).join(', ')})`;
    try {
      for await (const execution of deps.client.workflow.list({ query })) {
        const taskId = execution.typedSearchAttributes.get(AgentTaskId);
        if (typeof taskId !== 'string') continue;
        const running = execution.status.name === 'RUNNING';
        found.set(taskId, {
          workflowId: execution.workflowId,
          state: running ? 'running' : 'closed',
          ...(running || execution.closeTime === undefined ? {} : { closeTime: execution.closeTime.toISOString() }),
        });
      }
    } catch (error) {
      problems.push(`looking tasks up by AgentTaskId failed: ${error instanceof Error ? error.message : String(error)}`);
      break;
    }
    deps.beat({ phase: 'logs', looked_up: start + batch.length });
  }
  return found;
}

async function measure(deps: SurveyDeps, dir: string) {
  let entries = 0;
  const facts = await measureFolder(dir, () => {
    if (++entries % 500 === 0) deps.beat({ phase: 'measuring', dir, entries });
  });
  deps.beat({ phase: 'measured', dir });
  return facts;
}

function taskIdOf(taskWorkflowId: string): string {
  return taskWorkflowId.slice(taskWorkflowId.lastIndexOf('/task/') + '/task/'.length);
}
