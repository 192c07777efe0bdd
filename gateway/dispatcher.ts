import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { ApprovalDecision } from '../contracts/approval';
import { approvalSignal, closeSignal, commandSignal } from '../contracts/messages';
import { AgentProvider, AgentRequester, AgentStatus, AgentTarget } from '../contracts/search-attributes';
import { targetFromThread } from '../contracts/target';
import type { Command } from '../contracts/task';
import { threadWorkflowId, type ThreadRef } from '../contracts/thread';
import type { TargetWorkflowInput } from '../contracts/workflow-inputs';
import { withTemporalRetries } from './temporal-retry';

/** How the gateway hands work to Temporal; tests of the HTTP layer alone can pass another. */
export interface Dispatcher {
  /** Resolves once Temporal has durably recorded the command; no worker needs to be up. */
  dispatchCommand(thread: ThreadRef, command: Command): Promise<{ workflowId: string }>;
  /** False when no workflow is running for the thread. */
  closeThread(thread: ThreadRef, reason: string): Promise<boolean>;
  /** A command for a running thread only (approvals): false when none runs. */
  signalCommand(thread: ThreadRef, command: Command): Promise<boolean>;
  /** A button's decision, for the task workflow it belongs to: false when that is not running. */
  decideTask(taskWorkflowId: string, decision: ApprovalDecision): Promise<boolean>;
  /** A Cancel button: false when the task is not running. */
  cancelTask(taskWorkflowId: string): Promise<boolean>;
}

/**
 * @param retryWithinMs how long a call keeps retrying while Temporal is briefly away (a restart);
 *   GitHub waits 10 s for an answer, Slack 3 s: the routers' own deadlines bound it further.
 */
export function createTemporalDispatcher(client: Client, taskQueue: string, retryWithinMs = 7_000): Dispatcher {
  const retried = <T>(call: () => Promise<T>): Promise<T> => withTemporalRetries(call, retryWithinMs, undefined, (deadline, fn) => client.withDeadline(deadline, fn));
  return {
    async dispatchCommand(thread, command) {
      const workflowId = threadWorkflowId(thread);
      const target = targetFromThread(thread);
      const input: TargetWorkflowInput = { thread, ...(target === undefined ? {} : { target }) };
      refuseOversized(input, command);
      await retried(() => client.workflow.signalWithStart('targetWorkflow', {
        workflowId,
        taskQueue,
        args: [input],
        signal: commandSignal,
        signalArgs: [command],
        staticSummary: `${thread.kind} ${thread.label}`.slice(0, 200),
        staticDetails: `Conversation with agent-bot on ${thread.provider} ${thread.kind} **${thread.label}**${thread.url ? ` ([open](${thread.url}))` : ''}${thread.repo ? `, working on \`${thread.repo}\`` : ''}.`,
        typedSearchAttributes: [
          { key: AgentProvider, value: thread.provider },
          { key: AgentTarget, value: thread.key },
          { key: AgentStatus, value: 'queued' },
          { key: AgentRequester, value: command.requester.slice(0, 255) },
        ],
      }));
      return { workflowId };
    },
    async closeThread(thread, reason) {
      return signalIfRunning(() => retried(() => client.workflow.getHandle(threadWorkflowId(thread)).signal(closeSignal, { reason })));
    },
    async signalCommand(thread, command) {
      return signalIfRunning(() => retried(() => client.workflow.getHandle(threadWorkflowId(thread)).signal(commandSignal, command)));
    },
    async decideTask(taskWorkflowId, decision) {
      return signalIfRunning(() => retried(() => client.workflow.getHandle(taskWorkflowId).signal(approvalSignal, decision)));
    },
    async cancelTask(taskWorkflowId) {
      return signalIfRunning(() => retried(() => client.workflow.getHandle(taskWorkflowId).cancel()));
    },
  };
}

/**
 * Temporal refuses a payload over its blob size limit (2 MB by default); a command that large is not a
 * chat message (GitHub caps a comment at 65,536 characters), and it gets a 413 naming the size at once.
 */
export const MAX_COMMAND_BYTES = 1024 * 1024;

/** @throws an error with `status: 413` when the thread and command together exceed MAX_COMMAND_BYTES. */
function refuseOversized(input: TargetWorkflowInput, command: Command): void {
  const bytes = Buffer.byteLength(JSON.stringify(input)) + Buffer.byteLength(JSON.stringify(command));
  if (bytes <= MAX_COMMAND_BYTES) return;
  throw Object.assign(new Error(`request too large: ${bytes} bytes of command and thread, at most ${MAX_COMMAND_BYTES}`), { status: 413 });
}

async function signalIfRunning(send: () => Promise<unknown>): Promise<boolean> {
  try {
    await send();
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}
