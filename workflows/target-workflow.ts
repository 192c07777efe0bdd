import { WorkflowExecutionAlreadyStartedError } from '@temporalio/common';
import {
  allHandlersFinished,
  CancellationScope,
  condition,
  continueAsNew,
  executeChild,
  getExternalWorkflowHandle,
  isCancellation,
  log,
  patched,
  setCurrentDetails,
  setHandler,
  sleep,
  upsertSearchAttributes,
  workflowInfo,
  WorkflowIdReusePolicy,
} from '@temporalio/workflow';
import { approvalSignal, closeSignal, commandSignal, progressSignal, statusQuery } from '../contracts/messages';
import { AgentProvider, AgentRequester, AgentStatus, AgentTarget, AgentTaskId, type AgentStatusValue } from '../contracts/search-attributes';
import type { CurrentTaskView, PastTaskView, QueuedTaskView, TargetStatus } from '../contracts/status';
import { asThread } from '../contracts/target';
import type { Command, TaskResult } from '../contracts/task';
import { taskWorkflowId } from '../contracts/thread';
import { MAX_PAST_TASKS, MAX_SEEN_DELIVERIES, type LegacyTargetWorkflowInput, type TargetCarriedState, type TargetWorkflowInput } from '../contracts/workflow-inputs';
import { thread as threadActivities, threadLocal } from './activity-proxies';
import { renderTargetDetails } from './details';
import { failureReason, failureUsage } from './failures';
import { targetWorkflowV1 } from './legacy/target-workflow-v1';
import { THREADS_PATCH } from './patches';
import { AGENT_RUN, taskWorkflow } from './task-workflow';

/**
 * The long-lived conversation of one thread (`github:acme/widgets#42`, `slack:T1/C2/1700000000.000100`).
 * Runs recorded before provider-neutral threads replay the frozen v1 code; every new run takes the path
 * below (a v1 conversation moves here at its next continue-as-new).
 */
export async function targetWorkflow(input: TargetWorkflowInput): Promise<TargetStatus> {
  if (!patched(THREADS_PATCH)) return targetWorkflowV1(input as LegacyTargetWorkflowInput);
  return converse(input);
}

/**
 * Commands arrive by signal and are de-duplicated by delivery and by message; requests run one at a
 * time, in order, each as a child workflow; `@agent in 2h ...` waits on a durable timer; status,
 * cancel, retry, approve and reject act at once. Continues-as-new when Temporal suggests it, carrying
 * its state. Nothing here knows which provider the thread is on.
 */
async function converse(input: TargetWorkflowInput): Promise<TargetStatus> {
  const thread = asThread(input.thread ?? input.target!);
  const state: TargetCarriedState = input.state ?? {
    queue: [],
    seenDeliveries: [],
    past: [],
    totals: { tasks: 0, costUsd: 0, durationMs: 0, inputTokens: 0, outputTokens: 0 },
  };
  state.deferred ??= [];
  const deferred = state.deferred;
  const seen = new Set(state.seenDeliveries);
  const timers = new Map<string, CancellationScope>();
  let current: CurrentTaskView | undefined;
  let currentScope: CancellationScope | undefined;
  // The value the run started with (set by the gateway, or carried by continue-as-new).
  let shownStatus = String(workflowInfo().typedSearchAttributes.get(AgentStatus) ?? '');

  const setStatus = (status: AgentStatusValue): void => {
    if (status === shownStatus) return;
    shownStatus = status;
    upsertSearchAttributes([{ key: AgentStatus, value: status }]);
  };
  const view = (command: Command): QueuedTaskView => ({
    taskId: command.taskId,
    request: command.request,
    requester: command.requester,
    receivedAt: command.receivedAt,
    ...(command.commandName === undefined ? {} : { commandName: command.commandName }),
    ...(command.needsApproval === undefined ? {} : { needsApproval: command.needsApproval }),
  });
  const status = (): TargetStatus => ({
    target: thread.label,
    phase: state.closing !== undefined ? 'closing' : current !== undefined ? 'running' : 'idle',
    queued: state.queue.map(view),
    deferred: deferred.map((command) => ({ ...view(command), runAt: command.runAt ?? command.receivedAt })),
    ...(current === undefined ? {} : { current }),
    past: state.past,
    totals: state.totals,
    ...(state.agentSessionId === undefined ? {} : { agentSessionId: state.agentSessionId }),
    lastActivityAt: state.lastActivityAt ?? new Date(workflowInfo().startTime).toISOString(),
    thread,
    ...(repository() === undefined ? {} : { repo: repository() }),
    ...(state.agentWorker === undefined ? {} : { agentWorker: state.agentWorker.id }),
  });
  const showDetails = (): void =>
    setCurrentDetails(`${renderTargetDetails(current, status().queued, state.totals)}\n**Workspace and agent session:** ${state.agentWorker === undefined ? 'any worker' : `worker \`${state.agentWorker.id}\``}`);
  const reply = async (text: string): Promise<void> => {
    try {
      await threadActivities.replyOnThread.executeWithOptions({ summary: 'reply' }, [{ thread, text }]);
    } catch (error) {
      log.warn('could not reply on the thread', { reason: failureReason(error) });
    }
  };
  /** The repository the thread works on: one named in a request wins, for that request and the later ones. */
  function repository(command?: Command): string | undefined {
    return command?.repo ?? state.repo ?? thread.repo;
  }

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
    // The same message can arrive under several delivery ids (two webhooks, a re-sent event): it runs once.
    const keys = [command.deliveryId, ...(command.messageKey === undefined ? [] : [command.messageKey])];
    if (keys.some((key) => seen.has(key))) {
      log.info('duplicate delivery dropped', { deliveryId: command.deliveryId, messageKey: command.messageKey });
      return;
    }
    for (const key of keys) remember(key);
    state.lastActivityAt = new Date().toISOString();
    await act(command);
    showDetails();
  });

  /** What each kind of message does; requests join the queue and get 👀 at once. */
  async function act(command: Command): Promise<void> {
    switch (command.action ?? 'run') {
      case 'run':
        state.queue.push(command);
        await acknowledge(command);
        return;
      case 'defer':
        deferred.push(command);
        startTimer(command);
        await acknowledge(command);
        return;
      case 'status':
        try {
          await threadActivities.postStatusReply.executeWithOptions({ summary: 'status reply' }, [{ thread, status: status(), conversationWorkflowId: workflowInfo().workflowId }]);
        } catch (error) {
          log.warn('could not post the status', { reason: failureReason(error) });
        }
        return;
      case 'cancel':
      case 'cancel_all':
        await reply(cancel(command.action === 'cancel_all', command.requester));
        return;
      case 'retry': {
        // The most recent task: the one still finishing (its answer may already be on the thread), else the last done.
        const last = current ?? state.past.at(-1);
        if (last === undefined) {
          await reply(`@${command.requester} there is no earlier task on this thread to retry.`);
          return;
        }
        state.queue.push({
          ...command,
          action: 'run',
          request: last.request,
          ...(last.commandName === undefined ? {} : { commandName: last.commandName }),
          ...(last.needsApproval === undefined ? {} : { needsApproval: last.needsApproval }),
        });
        await acknowledge(command);
        return;
      }
      case 'approve':
      case 'reject':
        await forwardDecision(command);
        return;
      case 'help':
      case 'unknown':
        await reply(command.helpText ?? 'Unknown command.');
        return;
    }
  }

  /** 👀 on the message at acceptance: a local activity (idempotent), best effort. */
  async function acknowledge(command: Command): Promise<void> {
    const messageId = command.messageId ?? (command.commentId === undefined ? undefined : String(command.commentId));
    if (messageId === undefined) return;
    try {
      await threadLocal.acknowledgeCommand.executeWithOptions({ summary: 'react 👀' }, [{ thread, messageId }]);
    } catch (error) {
      // A missing reaction must not stop the task itself.
      log.warn('could not add the eyes reaction', { reason: failureReason(error) });
    }
  }

  /** `@agent approve|reject` goes to the task that waits; the task checks and records who decided. */
  async function forwardDecision(command: Command): Promise<void> {
    const waiting = current;
    if (waiting === undefined) {
      await reply(`@${command.requester} no task on this thread is waiting for approval.`);
      return;
    }
    const decision = command.action === 'approve' ? 'approve' : 'reject';
    await getExternalWorkflowHandle(taskWorkflowId(workflowInfo().workflowId, waiting.taskId)).signal(approvalSignal, {
      decision,
      by: command.requester,
      ...(command.requesterId === undefined ? {} : { byId: command.requesterId }),
      via: 'comment',
      trusted: command.trusted === true,
      ...(command.reason === undefined ? {} : { reason: command.reason }),
    });
  }

  /** `cancel`: the running task, else the next deferred one. `cancel all`: everything. */
  function cancel(all: boolean, by: string): string {
    const cancelled: string[] = [];
    if (current !== undefined && currentScope !== undefined) {
      currentScope.cancel();
      cancelled.push(`the running task _${current.request}_`);
    }
    if (all || cancelled.length === 0) {
      const timersToStop = all ? deferred.splice(0) : deferred.splice(0, 1);
      for (const command of timersToStop) {
        timers.get(command.taskId)?.cancel();
        cancelled.push(`the deferred task _${command.request}_`);
      }
    }
    if (all) {
      for (const command of state.queue.splice(0)) {
        record(command, { taskId: command.taskId, outcome: 'cancelled', durationMs: 0, usage: {}, reason: `cancelled by @${by} before it ran` });
        cancelled.push(`the queued task _${command.request}_`);
      }
    }
    return cancelled.length === 0 ? `@${by} there is nothing to cancel.` : `@${by} cancelled ${cancelled.join(', ')}.`;
  }

  /** A durable timer per deferred request, visible in the UI; at its time the request joins the queue. */
  function startTimer(command: Command): void {
    // A command signalled with the start is in `deferred` before the start-up loop runs: one timer each.
    if (timers.has(command.taskId)) return;
    const scope = new CancellationScope();
    timers.set(command.taskId, scope);
    const waitMs = Math.max(1, Date.parse(command.runAt ?? command.receivedAt) - Date.now());
    scope
      .run(() => sleep(waitMs, { summary: `deferred: ${command.request.slice(0, 100)}` }))
      .then(
        () => {
          const index = deferred.findIndex((item) => item.taskId === command.taskId);
          if (index >= 0) state.queue.push({ ...deferred.splice(index, 1)[0]!, action: 'run' });
          showDetails();
        },
        (error: unknown) => {
          if (!isCancellation(error)) throw error;
        },
      )
      .finally(() => timers.delete(command.taskId));
  }

  function remember(key: string): void {
    seen.add(key);
    state.seenDeliveries.push(key);
    while (state.seenDeliveries.length > MAX_SEEN_DELIVERIES) {
      const oldest = state.seenDeliveries.shift();
      if (oldest !== undefined) seen.delete(oldest);
    }
  }

  if (workflowInfo().typedSearchAttributes.get(AgentTarget) === undefined) {
    // A conversation continued from a run started before threads: name it the neutral way.
    shownStatus = 'idle';
    upsertSearchAttributes([
      { key: AgentProvider, value: thread.provider },
      { key: AgentTarget, value: thread.key },
      { key: AgentStatus, value: 'idle' },
    ]);
  }
  for (const command of deferred) startTimer(command);
  showDetails();

  for (;;) {
    await condition(() => state.queue.length > 0 || state.closing !== undefined || workflowInfo().continueAsNewSuggested);
    if (state.closing !== undefined) break;
    if (workflowInfo().continueAsNewSuggested) {
      await condition(allHandlersFinished);
      return continueAsNew<typeof targetWorkflow>({ thread, state: { ...state, seenDeliveries: [...state.seenDeliveries], deferred: [...deferred] } });
    }
    const command = state.queue.shift();
    if (command !== undefined) await runTask(command);
  }

  for (const scope of timers.values()) scope.cancel();
  for (const dropped of [...state.queue.splice(0), ...deferred.splice(0)]) {
    record(dropped, { taskId: dropped.taskId, outcome: 'cancelled', durationMs: 0, usage: {}, reason: `not run: ${state.closing.reason}` });
  }
  setStatus('closed');
  current = undefined;
  showDetails();
  await condition(allHandlersFinished);
  return status();

  async function runTask(command: Command): Promise<void> {
    current = { ...view(command), startedAt: new Date().toISOString(), stage: command.needsApproval === true ? 'planning' : AGENT_RUN };
    if (command.repo !== undefined) state.repo = command.repo;
    const repo = repository(command);
    setStatus('running');
    showDetails();
    const startedAt = Date.now();
    let result: TaskResult | undefined;
    currentScope = new CancellationScope();
    try {
      result = await currentScope.run(() =>
        executeChild(taskWorkflow, {
          workflowId: taskWorkflowId(workflowInfo().workflowId, command.taskId),
          args: [
            {
              thread,
              targetWorkflowId: workflowInfo().workflowId,
              command,
              ...(repo === undefined ? {} : { repo }),
              ...(state.agentWorker === undefined ? {} : { agentWorker: state.agentWorker }),
              ...(state.past.length === 0 ? {} : { threadSummary: threadSummary() }),
              ...(state.agentSessionId === undefined ? {} : { agentSessionId: state.agentSessionId }),
              ...(state.agentSessionUsage === undefined ? {} : { agentSessionUsage: state.agentSessionUsage }),
            },
          ],
          // A task id comes from its message: a message that ever ran, even in an earlier run of this conversation, never runs again.
          workflowIdReusePolicy: WorkflowIdReusePolicy.REJECT_DUPLICATE,
          staticSummary: `${thread.label}: ${oneLine(command.request)}`.slice(0, 200),
          staticDetails: `**Request** by @${command.requester}${command.needsApproval ? ' (needs approval)' : ''}\n\n${command.request}\n\n[Thread](${command.url || thread.url || ''})${repo === undefined ? '' : ` · \`${repo}\``}`,
          typedSearchAttributes: [
            { key: AgentProvider, value: thread.provider },
            { key: AgentTarget, value: thread.key },
            { key: AgentStatus, value: command.needsApproval === true ? 'planning' : 'running' },
            { key: AgentRequester, value: command.requester },
            { key: AgentTaskId, value: command.taskId },
          ],
        }),
      );
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
    } finally {
      currentScope = undefined;
    }
    if (result !== undefined) {
      if (result.agentSessionId !== undefined) {
        if (result.agentSessionId !== state.agentSessionId) delete state.agentSessionUsage;
        state.agentSessionId = result.agentSessionId;
      }
      if (result.agentSessionUsage !== undefined) state.agentSessionUsage = result.agentSessionUsage;
      if (result.agentWorker === 'any') delete state.agentWorker;
      else if (result.agentWorker !== undefined) state.agentWorker = result.agentWorker;
      record(command, result);
    }
    current = undefined;
    setStatus(state.queue.length > 0 ? 'queued' : 'idle');
    showDetails();
  }

  /** The thread's last requests, one a line: what a restarted agent session is told happened before. */
  function threadSummary(): string {
    return state.past
      .slice(-10)
      .map((task) => `- @${task.requester}: ${oneLine(task.request).slice(0, 200)} (${task.outcome})`)
      .join('\n');
  }

  function record(command: Command, result: TaskResult): void {
    const past: PastTaskView = {
      ...view(command),
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
