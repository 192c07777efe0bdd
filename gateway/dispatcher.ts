import { WorkflowNotFoundError, type Client } from '@temporalio/client';
import type { ApprovalDecision } from '../contracts/approval';
import { approvalSignal, closeSignal, commandSignal } from '../contracts/messages';
import { AgentProvider, AgentRequester, AgentStatus, AgentTarget } from '../contracts/search-attributes';
import { targetLabel, targetWorkflowId, type TargetRef } from '../contracts/target';
import type { Command } from '../contracts/task';
import type { targetWorkflow } from '../workflows/target-workflow';

/** How the gateway hands work to Temporal; tests of the HTTP layer alone can pass another. */
export interface Dispatcher {
  /** Resolves once Temporal has durably recorded the command; no worker needs to be up. */
  dispatchCommand(target: TargetRef, command: Command): Promise<{ workflowId: string }>;
  /** False when no workflow is running for the target. */
  closeTarget(target: TargetRef, reason: string): Promise<boolean>;
  /** A command for a running thread only (approvals): false when none runs. */
  signalCommand(target: TargetRef, command: Command): Promise<boolean>;
  /** A check run button's decision, for the task workflow it belongs to: false when that is not running. */
  decideTask(taskWorkflowId: string, decision: ApprovalDecision): Promise<boolean>;
}

export function createTemporalDispatcher(client: Client, taskQueue: string): Dispatcher {
  return {
    async dispatchCommand(target, command) {
      const workflowId = targetWorkflowId(target);
      await client.workflow.signalWithStart<typeof targetWorkflow, [Command]>('targetWorkflow', {
        workflowId,
        taskQueue,
        args: [{ target }],
        signal: commandSignal,
        signalArgs: [command],
        staticSummary: `${target.kind === 'pull_request' ? 'PR' : 'Issue'} ${targetLabel(target)}`,
        staticDetails: `Conversation with agent-bot on ${target.provider} ${target.kind === 'pull_request' ? 'pull request' : 'issue'} **${targetLabel(target)}**.`,
        typedSearchAttributes: [
          { key: AgentProvider, value: target.provider },
          { key: AgentTarget, value: targetLabel(target) },
          { key: AgentStatus, value: 'queued' },
          { key: AgentRequester, value: command.requester },
        ],
      });
      return { workflowId };
    },
    async closeTarget(target, reason) {
      return signalIfRunning(() => client.workflow.getHandle(targetWorkflowId(target)).signal(closeSignal, { reason }));
    },
    async signalCommand(target, command) {
      return signalIfRunning(() => client.workflow.getHandle(targetWorkflowId(target)).signal(commandSignal, command));
    },
    async decideTask(taskWorkflowId, decision) {
      return signalIfRunning(() => client.workflow.getHandle(taskWorkflowId).signal(approvalSignal, decision));
    },
  };
}

async function signalIfRunning(send: () => Promise<void>): Promise<boolean> {
  try {
    await send();
    return true;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return false;
    throw error;
  }
}
