import { randomUUID } from 'node:crypto';
import { REPOSITORY_PATTERN } from '../../config/repo-mapping';
import type { Command } from '../../contracts/task';
import { messageKey, taskIdFor, taskWorkflowId, type ThreadRef } from '../../contracts/thread';
import { parseThreadCommand, type CommandPolicy } from '../../integrations/thread-command';
import type { Dispatcher } from '../dispatcher';
import { TaskOperationError } from './task-operations';

export interface StartTaskRequest {
  /** `owner/repo` to work on. */
  repo: string;
  /** What to do, as it would follow `@agent` on a thread (`review ...`, `fix ...`). */
  request: string;
  /** Who asks, for the record. */
  requester: string;
}

export interface StartedTask {
  taskId: string;
  workflowId: string;
  /** The new API thread's key. */
  thread: string;
}

/** Starts a task of its own on a repository, outside any provider's thread. */
export type StartTask = (request: StartTaskRequest) => Promise<StartedTask>;

/**
 * Starts a task on a new `api:<uuid>` thread, through the same dispatcher the webhooks use, reading the
 * request with the thread command language (so `fix ...` waits for approval like anywhere else).
 *
 * Interim: `POST /api/tasks` (branch api-cli) brings the shared way to start API tasks and the `api`
 * provider's transport; the operator MCP tool switches to it then. Until that transport is on the
 * workers, such a task is recorded and queued but cannot show its result.
 * @throws TaskOperationError 400 for a bad repository or a request that is a thread command (`status`, `cancel`...).
 */
export function createApiTaskStarter(dispatcher: Dispatcher, policy: CommandPolicy, now: () => Date = () => new Date()): StartTask {
  return async ({ repo, request, requester }) => {
    if (!REPOSITORY_PATTERN.test(repo)) throw new TaskOperationError(400, `"${repo}" is not a repository such as acme/widgets`);
    const at = now();
    const parsed = parseThreadCommand(request, policy, at);
    if (parsed.action !== 'run') throw new TaskOperationError(400, `"${request.trim().split(/\s+/)[0] ?? ''}" is not a request for a task here: write what the agent should do`);
    const id = randomUUID();
    const thread: ThreadRef = { provider: 'api', key: id, label: `api/${id.slice(0, 8)}`, kind: 'API request', repo, address: { id } };
    const command: Command = {
      taskId: taskIdFor('api', id),
      deliveryId: id,
      messageKey: messageKey('api', id),
      request: parsed.request,
      requester,
      url: '',
      action: 'run',
      ...(parsed.commandName === undefined ? {} : { commandName: parsed.commandName }),
      ...(parsed.needsApproval === undefined ? {} : { needsApproval: parsed.needsApproval }),
      receivedAt: at.toISOString(),
    };
    const { workflowId } = await dispatcher.dispatchCommand(thread, command);
    return { taskId: command.taskId, workflowId: taskWorkflowId(workflowId, command.taskId), thread: id };
  };
}
