import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { TaskHeader, TaskPresence, TaskRef, TaskView } from '../contracts/presence';
import type { TargetStatus } from '../contracts/status';
import type { TaskOutcome } from '../contracts/task';
import type { ThreadRef } from '../contracts/thread';
import type { TaskOnThread, ThreadUser, Transports } from '../integrations/transport';
import { liveTaskProgress } from './live-progress';
import { renderStatusReply } from '../contracts/status-reply';

export interface ThreadActivityDeps {
  transports: Transports;
  /** Base URL of the Temporal Web UI, for links back to a run. */
  uiUrl: string;
  namespace: string;
  /** `@agent`: shown in hints such as "reply `@agent approve`". */
  mention: string;
  /** For `@agent status`: the running task's live progress is read from Temporal. */
  client: Client;
  /** Told once a task's final message is on its thread (metrics: tasks by provider and outcome). */
  onTaskFinished?: (provider: string, outcome: TaskOutcome) => void;
}

/** `http://ui/namespaces/<ns>/workflows/<id>`: the run in the Temporal Web UI. */
export function workflowUrl(uiUrl: string, namespace: string, workflowId: string): string {
  return `${uiUrl}/namespaces/${encodeURIComponent(namespace)}/workflows/${encodeURIComponent(workflowId)}`;
}

/** The header every rendering of a task needs, from the task and this worker's settings. */
export function taskOnThread(deps: Pick<ThreadActivityDeps, 'uiUrl' | 'namespace' | 'mention'>, task: TaskRef): TaskOnThread {
  const header: TaskHeader = {
    taskId: task.taskId,
    request: task.request,
    requester: task.requester,
    runUrl: workflowUrl(deps.uiUrl, deps.namespace, task.taskWorkflowId),
    mention: deps.mention,
  };
  return { thread: task.thread, header, taskWorkflowId: task.taskWorkflowId, startedAt: task.startedAt };
}

/**
 * What the workflows ask of a thread, on any provider: each activity finds the provider's transport
 * and leaves the format and the wire to it.
 */
export function createThreadActivities(deps: ThreadActivityDeps) {
  const { transports } = deps;

  /** 👀 on the message that carried a command, at acceptance. Idempotent, so it runs as a local activity. */
  async function acknowledgeCommand(input: { thread: ThreadRef; messageId: string }): Promise<void> {
    await transports.for(input.thread).react(input.thread, input.messageId, 'accepted');
  }

  /**
   * The task's final message (posted, or the progress message edited into it) and the outcome's reaction.
   * When an earlier attempt, or the agent run, may have posted the message without our learning its id,
   * it is looked for first, so the answer is never posted twice.
   */
  async function finishTask(input: { task: TaskRef; presence: TaskPresence; view: Extract<TaskView, { phase: 'final' }>; messageId?: string; mayExist: boolean }): Promise<TaskPresence> {
    const transport = transports.for(input.task.thread);
    const mayExist = input.mayExist || input.presence.unconfirmed === true || Context.current().info.attempt > 1;
    const shown = await transport.show(taskOnThread(deps, input.task), input.presence, input.view, { priority: 'urgent', mayExist });
    if (input.messageId !== undefined) {
      await transport.react(input.task.thread, input.messageId, input.view.outcome === 'succeeded' ? 'succeeded' : 'failed');
    }
    const { unconfirmed: _unused, ...presence } = shown ?? input.presence;
    deps.onTaskFinished?.(input.task.thread.provider, input.view.outcome);
    return presence;
  }

  /** A reply on the thread (help, refusals, reminders). */
  async function replyOnThread(input: { thread: ThreadRef; text: string }): Promise<void> {
    await transports.for(input.thread).reply(input.thread, input.text);
  }

  /** `@agent status`: the conversation's status, with the running task's live progress read from Temporal. */
  async function postStatusReply(input: { thread: ThreadRef; status: TargetStatus; conversationWorkflowId: string }): Promise<void> {
    const status = { ...input.status };
    if (status.current !== undefined) {
      const progress = await liveTaskProgress(deps.client, `${input.conversationWorkflowId}/task/${status.current.taskId}`).catch(() => undefined);
      if (progress !== undefined) status.current = { ...status.current, progress, stage: progress.stage };
    }
    await transports.for(input.thread).reply(input.thread, renderStatusReply(status));
  }

  /** Whether a person may approve or reject tasks on the thread (read-only, so a local activity). */
  async function checkApprover(input: { thread: ThreadRef; user: ThreadUser }): Promise<boolean> {
    return transports.for(input.thread).mayApprove(input.thread, input.user);
  }

  return { acknowledgeCommand, finishTask, replyOnThread, postStatusReply, checkApprover };
}

export type ThreadActivities = ReturnType<typeof createThreadActivities>;
