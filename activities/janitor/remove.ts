import fs from 'node:fs';
import { type Client, WorkflowNotFoundError } from '@temporalio/client';
import type { KeptFolder, RemovalRequest, RemovedFolder } from '../../contracts/janitor';
import { guardRemovable, measureFolder } from './folders';
import { runningTaskWorkflowIds } from './survey';

export interface RemoveDeps {
  client: Client;
  dataDir: string;
  beat: (details: Record<string, unknown>) => void;
}

export interface RemoveOutcome {
  removed: RemovedFolder[];
  skipped: KeptFolder[];
  problems: string[];
}

/**
 * Deletes the planned folders, each checked again just before: inside the data dir's workspaces/ or
 * logs/tasks/, and its workflow still not running (a new command may have restarted a closed target).
 */
export async function removeJanitorFolders(deps: RemoveDeps, input: { requests: RemovalRequest[] }): Promise<RemoveOutcome> {
  const outcome: RemoveOutcome = { removed: [], skipped: [], problems: [] };
  const runningTasks = await runningTaskWorkflowIds(deps.client);
  for (const request of input.requests) {
    deps.beat({ phase: 'removing', done: outcome.removed.length, of: input.requests.length });
    const guarded = guardRemovable(deps.dataDir, request.kind, request.path);
    if ('refused' in guarded) {
      outcome.skipped.push({ kind: request.kind, path: request.path, reason: `refused: ${guarded.refused}` });
      continue;
    }
    try {
      const busy = await stillBusy(deps.client, request, runningTasks);
      if (busy !== undefined) {
        outcome.skipped.push({ kind: request.kind, path: request.path, reason: busy });
        continue;
      }
      const { bytes } = await measureFolder(guarded.path);
      await fs.promises.rm(guarded.path, { recursive: true, force: true });
      outcome.removed.push({ kind: request.kind, path: request.path, bytes, reason: request.reason });
    } catch (error) {
      outcome.problems.push(`removing ${request.path} failed: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  return outcome;
}

async function stillBusy(client: Client, request: RemovalRequest, runningTasks: string[]): Promise<string | undefined> {
  if (request.kind === 'log') {
    return runningTasks.some((id) => id.endsWith(`/task/${request.taskId}`)) ? 'task running again' : undefined;
  }
  if (runningTasks.some((id) => id.startsWith(`${request.workflowId}/task/`))) return 'task running again';
  try {
    const description = await client.workflow.getHandle(request.workflowId).describe();
    return description.status.name === 'RUNNING' ? 'target running again' : undefined;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
}
