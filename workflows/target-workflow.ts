import {
  allHandlersFinished,
  condition,
  continueAsNew,
  executeChild,
  isCancellation,
  log,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import { closeSignal, commandSignal, progressSignal, statusQuery } from '../contracts/messages';
import { AgentProvider, AgentRequester, AgentStatus, AgentTarget } from '../contracts/search-attributes';
import type { CurrentTaskView, PastTaskView, TargetStatus } from '../contracts/status';
import { targetLabel, taskWorkflowId } from '../contracts/target';
import type { Command, TaskResult } from '../contracts/task';
import {
  MAX_PAST_TASKS,
  MAX_SEEN_DELIVERIES,
  type TargetCarriedState,
  type TargetWorkflowInput,
} from '../contracts/workflow-inputs';
import { github } from './activity-proxies';
import { renderTargetDetails } from './details';
import { failureReason, failureUsage } from './failures';
import { taskWorkflow, WAITING_FOR_AGENT } from './task-workflow';

/**
 * The long-lived workflow of one PR or issue (`github:acme/widgets#42`). Commands arrive by signal and
 * run one at a time, in order, each as a child workflow. Continues-as-new when Temporal suggests it.
 */
export async function targetWorkflow(input: TargetWorkflowInput): Promise<TargetStatus> {
  const { target } = input;
  const state: TargetCarriedState = input.state ?? {
    queue: [],
    seenDeliveries: [],
    past: [],
    totals: { tasks: 0, costUsd: 0, durationMs: 0, inputTokens: 0, outputTokens: 0 },
  };
  const seen = new Set(state.seenDeliveries);
  let current: CurrentTaskView | undefined;

  const status = (): TargetStatus => ({
    target: targetLabel(target),
    phase: state.closing !== undefined ? 'closing' : current !== undefined ? 'running' : 'idle',
    queued: state.queue.map(({ taskId, request, requester, receivedAt }) => ({ taskId, request, requester, receivedAt })),
    ...(current === undefined ? {} : { current }),
    past: state.past,
    totals: state.totals,
    ...(state.agentSessionId === undefined ? {} : { agentSessionId: state.agentSessionId }),
    lastActivityAt: state.lastActivityAt ?? new Date(workflowInfo().startTime).toISOString(),
  });
  const showDetails = (): void => setCurrentDetails(renderTargetDetails(current, status().queued, state.totals));

  setHandler(statusQuery, status);
  setHandler(closeSignal, ({ reason }) => {
    state.closing ??= { reason };
    showDetails();
  });
  setHandler(progressSignal, ({ taskId, progress }) => {
    if (current?.taskId !== taskId) return;
    current.progress = progress;
    current.stage = progress.stage;
    showDetails();
  });
  setHandler(commandSignal, async (command) => {
    if (seen.has(command.deliveryId)) {
      log.info('duplicate delivery dropped', { deliveryId: command.deliveryId });
      return;
    }
    remember(command.deliveryId);
    state.lastActivityAt = new Date().toISOString();
    state.queue.push(command);
    showDetails();
    try {
      await github.addReaction.executeWithOptions({ summary: 'react 👀' }, [{ target, commentId: command.commentId, content: 'eyes' }]);
    } catch (error) {
      // A missing reaction must not stop the task itself.
      log.warn('could not add the eyes reaction', { reason: failureReason(error) });
    }
  });

  function remember(deliveryId: string): void {
    seen.add(deliveryId);
    state.seenDeliveries.push(deliveryId);
    while (state.seenDeliveries.length > MAX_SEEN_DELIVERIES) {
      const oldest = state.seenDeliveries.shift();
      if (oldest !== undefined) seen.delete(oldest);
    }
  }

  upsertSearchAttributes([
    { key: AgentProvider, value: target.provider },
    { key: AgentTarget, value: targetLabel(target) },
    { key: AgentStatus, value: 'idle' },
  ]);
  showDetails();

  for (;;) {
    await condition(
      () => state.queue.length > 0 || state.closing !== undefined || workflowInfo().continueAsNewSuggested,
    );
    if (state.closing !== undefined) break;
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof targetWorkflow>({ target, state: { ...state, seenDeliveries: [...state.seenDeliveries] } });
    }
    const command = state.queue.shift();
    if (command !== undefined) await runTask(command);
  }

  for (const dropped of state.queue.splice(0)) {
    record(dropped, { taskId: dropped.taskId, outcome: 'cancelled', durationMs: 0, usage: {}, reason: `not run: ${state.closing.reason}` });
  }
  upsertSearchAttributes([{ key: AgentStatus, value: 'closed' }]);
  current = undefined;
  showDetails();
  await condition(allHandlersFinished);
  return status();

  async function runTask(command: Command): Promise<void> {
    current = {
      taskId: command.taskId,
      request: command.request,
      requester: command.requester,
      receivedAt: command.receivedAt,
      startedAt: new Date().toISOString(),
      stage: WAITING_FOR_AGENT,
    };
    upsertSearchAttributes([
      { key: AgentStatus, value: 'running' },
      { key: AgentRequester, value: command.requester },
    ]);
    showDetails();
    const startedAt = Date.now();
    let result: TaskResult | undefined;
    try {
      result = await executeChild(taskWorkflow, {
        workflowId: taskWorkflowId(workflowInfo().workflowId, command.taskId),
        args: [
          {
            target,
            targetWorkflowId: workflowInfo().workflowId,
            command,
            ...(state.agentSessionId === undefined ? {} : { agentSessionId: state.agentSessionId }),
            ...(state.agentSessionUsage === undefined ? {} : { agentSessionUsage: state.agentSessionUsage }),
          },
        ],
        // A task id is a delivery id: a task that ever ran, even in an earlier run of this target, never runs again.
        workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
        staticSummary: `${targetLabel(target)}: ${oneLine(command.request)}`.slice(0, 200),
        staticDetails: `**Request** by @${command.requester}\n\n${command.request}\n\n[Thread](${command.url})`,
        typedSearchAttributes: [
          { key: AgentProvider, value: target.provider },
          { key: AgentTarget, value: targetLabel(target) },
          { key: AgentStatus, value: 'running' },
          { key: AgentRequester, value: command.requester },
        ],
      });
    } catch (error) {
      if (error instanceof WorkflowExecutionAlreadyStartedError) {
        log.info('task already ran', { taskId: command.taskId });
      } else {
        const cancelled = isCancellation(error) || failureReason(error).toLowerCase().includes('cancel');
        result = {
          taskId: command.taskId,
          outcome: cancelled ? 'cancelled' : 'failed',
          durationMs: Date.now() - startedAt,
          usage: failureUsage(error),
          reason: failureReason(error),
        };
      }
    }
    if (result !== undefined) {
      if (result.agentSessionId !== undefined) {
        if (result.agentSessionId !== state.agentSessionId) delete state.agentSessionUsage;
        state.agentSessionId = result.agentSessionId;
      }
      if (result.agentSessionUsage !== undefined) state.agentSessionUsage = result.agentSessionUsage;
      record(command, result);
    }
    current = undefined;
    upsertSearchAttributes([{ key: AgentStatus, value: state.queue.length > 0 ? 'queued' : 'idle' }]);
    showDetails();
  }

  function record(command: Command, result: TaskResult): void {
    const past: PastTaskView = {
      taskId: command.taskId,
      request: command.request,
      requester: command.requester,
      receivedAt: command.receivedAt,
      outcome: result.outcome,
      durationMs: result.durationMs,
      usage: result.usage,
      ...(result.reason === undefined ? {} : { reason: result.reason }),
    };
    state.past.push(past);
    state.lastActivityAt = new Date().toISOString();
    if (state.past.length > MAX_PAST_TASKS) state.past.shift();
    state.totals.tasks++;
    state.totals.costUsd += result.usage.costUsd ?? 0;
    state.totals.durationMs += result.durationMs;
    // Carried state from before tokens were counted has no such fields.
    state.totals.inputTokens = (state.totals.inputTokens ?? 0) + (result.usage.inputTokens ?? 0);
    state.totals.outputTokens = (state.totals.outputTokens ?? 0) + (result.usage.outputTokens ?? 0);
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
