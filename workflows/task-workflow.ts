import {
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  patched,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { RunAgentInput, RunAgentResult } from '../activities/agent/run-agent';
import type { ApprovalDecision } from '../contracts/approval';
import { ErrorType, NON_RETRYABLE_PROVIDER_ERRORS } from '../contracts/errors';
import { approvalSignal, approvalUpdate, progressSignal, taskStatusQuery } from '../contracts/messages';
import type { TaskPresence, TaskRef, TaskView } from '../contracts/presence';
import { AgentStatus, type AgentStatusValue } from '../contracts/search-attributes';
import { asThread } from '../contracts/target';
import type { AgentProgress, AgentUsage, TaskOutcome, TaskResult, TaskWorkflowInput } from '../contracts/task';
import type { TaskPhase, TaskStatus } from '../contracts/task-status';
import { agentActivities, thread as threadActivities, threadLocal } from './activity-proxies';
import { renderTaskDetails } from './details';
import { failurePresence, failureReason, failureType, failureUsage } from './failures';
import { taskWorkflowV1, type LegacyTaskWorkflowInput } from './legacy/task-workflow-v1';
import { THREADS_PATCH } from './patches';

/**
 * Stage of a task whose agent run is scheduled: waiting for a worker with a free slot, or running. The
 * workflow is not told which (that would cost history events); the live view is the pending
 * activity's state and heartbeat, which the UI, `@agent status` and the API show.
 */
export const AGENT_RUN = 'running the agent';

type RecordedDecision = ApprovalDecision & { at: string };

/**
 * One command, from start to its final message. Runs recorded before provider-neutral threads replay
 * the frozen v1 code; every new run takes the path below.
 */
export async function taskWorkflow(input: TaskWorkflowInput): Promise<TaskResult> {
  if (!patched(THREADS_PATCH)) return taskWorkflowV1(input as LegacyTaskWorkflowInput);
  return runTask(input);
}

/**
 * A command that needs approval first runs a planning pass, shows the plan and waits (days cost
 * nothing) for a person; then the agent runs, showing its progress on the thread from inside its
 * activity, and one last activity turns the task's message into the answer. Every ending finalizes
 * that message: success, failure, cancelled, timed out, rejected or expired.
 */
async function runTask(input: TaskWorkflowInput): Promise<TaskResult> {
  const thread = asThread(input.thread ?? input.target!);
  const { command } = input;
  const needsApproval = command.needsApproval === true;
  const agent = agentActivities();
  const taskWorkflowId = workflowInfo().workflowId;
  const startedAt = Date.now();
  const task: TaskRef = { thread, taskId: command.taskId, taskWorkflowId, request: command.request, requester: command.requester, startedAt: new Date(startedAt).toISOString() };
  const messageId = command.messageId ?? (command.commentId === undefined ? undefined : String(command.commentId));
  let phase: TaskPhase = 'starting';
  let stage = needsApproval ? 'planning' : AGENT_RUN;
  let shownStatus: AgentStatusValue = needsApproval ? 'planning' : 'running';
  let progress: AgentProgress | undefined;
  let awaitingApproval = false;
  let approvalDeadline: string | undefined;
  let decision: RecordedDecision | undefined;
  let outcome: TaskOutcome | undefined;
  let usage: AgentUsage = {};
  /** The final message, kept for the `taskStatus` query: how API callers read the answer (no shared disk). */
  let final: Extract<TaskView, { phase: 'final' }> | undefined;
  let planText: string | undefined;
  let presence: TaskPresence = {};
  /** An agent run failed or was cancelled: it may have posted the task's message without our learning its id. */
  let presenceUnknown = false;

  /** A new phase; the search attribute is written only when its value changes (each write is a history event). */
  const show = (nextPhase: TaskPhase, nextStage: string, status: AgentStatusValue): void => {
    phase = nextPhase;
    stage = nextStage;
    if (status !== shownStatus) {
      shownStatus = status;
      upsertSearchAttributes([{ key: AgentStatus, value: status }]);
    }
    setCurrentDetails(renderTaskDetails(stage, progress));
  };
  setCurrentDetails(renderTaskDetails(stage, undefined));

  setHandler(taskStatusQuery, (): TaskStatus => ({
    taskId: command.taskId,
    target: thread.label,
    request: command.request,
    requester: command.requester,
    phase,
    stage,
    needsApproval,
    ...(approvalDeadline === undefined ? {} : { approvalDeadline }),
    ...(decision === undefined ? {} : { approval: { decision: decision.decision, by: decision.by, via: decision.via, at: decision.at, ...(decision.reason ? { reason: decision.reason } : {}) } }),
    ...(progress === undefined ? {} : { progress }),
    ...(outcome === undefined ? {} : { outcome, usage }),
    ...(planText === undefined ? {} : { plan: planText }),
    ...(final === undefined ? {} : { answer: final.text, durationMs: final.durationMs, ...(final.truncated === true ? { answerTruncated: true } : {}) }),
  }));
  // Agent runs no longer signal progress (the live view is the activity's heartbeat); an older worker's may.
  setHandler(progressSignal, (update) => {
    if (update.taskId !== command.taskId) return;
    progress = update.progress;
    setCurrentDetails(renderTaskDetails(stage, progress));
  });

  /** A decision counts once, while the task waits, and only from someone who may approve. */
  const decide = async (candidate: ApprovalDecision): Promise<boolean> => {
    const user = { name: candidate.by, ...(candidate.byId === undefined ? {} : { id: candidate.byId }) };
    if (candidate.trusted !== true && !(await threadLocal.checkApprover({ thread, user }))) {
      log.warn('approval refused: not allowed', { by: candidate.by, via: candidate.via });
      await threadActivities.replyOnThread({ thread, text: `@${candidate.by} you may not approve or reject tasks here.` });
      return false;
    }
    if (!awaitingApproval || decision !== undefined) return false;
    decision = { ...candidate, at: new Date().toISOString() };
    log.info('approval decision', { decision: decision.decision, by: decision.by, via: decision.via });
    return true;
  };
  setHandler(approvalSignal, async (candidate) => {
    if (!awaitingApproval && decision === undefined && candidate.via === 'comment') {
      await threadActivities.replyOnThread({ thread, text: `@${candidate.by} the current task is not waiting for approval.` });
      return;
    }
    await decide(candidate);
  });
  setHandler(
    approvalUpdate,
    async (candidate) => {
      if (!(await decide(candidate))) throw ApplicationFailure.nonRetryable(`@${candidate.by} may not decide this task`, 'ApprovalRefused');
      return { taskId: command.taskId, decision: candidate.decision, by: candidate.by };
    },
    {
      // Synchronous, so a caller learns at once that nothing waits (an async validator cannot reject).
      validator: (candidate: ApprovalDecision) => {
        if (candidate.decision !== 'approve' && candidate.decision !== 'reject') throw new Error('decision must be "approve" or "reject"');
        if (!awaitingApproval || decision !== undefined) throw new Error(`task ${command.taskId} is not waiting for approval`);
      },
    },
  );

  /** The worker holding the thread's workspace and session; the run goes there first, then anywhere. */
  let pinned = input.agentWorker;
  let placedOn: TaskResult['agentWorker'];
  const runAgent = async (mode: 'plan' | 'execute', session: { id?: string; usage?: AgentUsage }): Promise<RunAgentResult> => {
    presenceUnknown = true;
    const args: RunAgentInput = {
      thread,
      targetWorkflowId: input.targetWorkflowId,
      taskWorkflowId,
      command,
      startedAt: task.startedAt,
      presence,
      mode,
      ...(input.repo === undefined ? {} : { repo: input.repo }),
      ...(input.threadSummary === undefined ? {} : { threadSummary: input.threadSummary }),
      ...(session.id === undefined ? {} : { agentSessionId: session.id }),
      ...(session.usage === undefined ? {} : { agentSessionUsage: session.usage }),
      ...(decision === undefined ? {} : { approvedBy: decision.by }),
    };
    const summary = `${mode === 'plan' ? 'plan' : 'agent'}: ${command.request.slice(0, 80)}`;
    let result: RunAgentResult;
    if (pinned === undefined) {
      result = await agent.runAgent.executeWithOptions({ summary }, [args]);
    } else {
      try {
        result = await agentActivities(pinned).runAgent.executeWithOptions({ summary: `${summary} (on ${pinned.id})` }, [args]);
      } catch (error) {
        if (!isScheduleToStartTimeout(error)) throw error;
        // That worker is gone (no poller) or stuck: any worker takes the run, re-creating the workspace.
        log.info('the worker holding the thread did not take the run; any worker will', { worker: pinned.id });
        pinned = undefined;
        result = await agent.runAgent.executeWithOptions({ summary }, [args]);
      }
    }
    presence = result.presence ?? presence;
    presenceUnknown = false;
    if (result.worker !== undefined) {
      const { shared, ...worker } = result.worker;
      // The next pass (after an approval) and the thread's next task come back to this worker.
      pinned = shared ? undefined : worker;
      placedOn = shared ? 'any' : worker;
    }
    return result;
  };

  const finish = async (result: TaskOutcome, text: string, extra: { usage?: AgentUsage; truncated?: boolean; answerPath?: string; answerChars?: number; note?: string } = {}): Promise<void> => {
    outcome = result;
    usage = extra.usage ?? {};
    show('posting', 'posting the result', shownStatus);
    const view: Extract<TaskView, { phase: 'final' }> = {
      phase: 'final',
      outcome: result,
      text,
      durationMs: Date.now() - startedAt,
      usage,
      ...(extra.truncated === undefined ? {} : { truncated: extra.truncated }),
      ...(extra.answerPath === undefined ? {} : { answerPath: extra.answerPath }),
      ...(extra.answerChars === undefined || extra.answerChars === text.length ? {} : { answerChars: extra.answerChars }),
      ...(extra.note === undefined ? {} : { note: extra.note }),
      ...(decision === undefined ? {} : { decision: { decision: decision.decision, by: decision.by, via: decision.via } }),
    };
    final = view;
    presence = await threadActivities.finishTask.executeWithOptions({ summary: `post the ${result} answer` }, [
      { task, presence, view, ...(messageId === undefined ? {} : { messageId }), mayExist: presenceUnknown && presence.messageId === undefined },
    ]);
  };
  const ended = (result: TaskOutcome, reason?: string): TaskResult => ({
    taskId: command.taskId,
    outcome: result,
    durationMs: Date.now() - startedAt,
    usage,
    ...(reason === undefined ? {} : { reason }),
    ...(placedOn === undefined ? {} : { agentWorker: placedOn }),
  });

  try {
    let session: { id?: string; usage?: AgentUsage } = {
      ...(input.agentSessionId === undefined ? {} : { id: input.agentSessionId }),
      ...(input.agentSessionUsage === undefined ? {} : { usage: input.agentSessionUsage }),
    };
    let planUsage: AgentUsage = {};

    if (needsApproval) {
      show('planning', 'planning', 'planning');
      const plan = await runAgent('plan', session);
      session = { ...(plan.sessionId === undefined ? session : { id: plan.sessionId }), ...(plan.sessionUsage === undefined ? {} : { usage: plan.sessionUsage }) };
      planUsage = plan.usage;
      planText = plan.text;
      // The worker that showed the plan chose the deadline from its APPROVAL_TIMEOUT: it is in history.
      const deadline = Date.parse(plan.approval?.deadline ?? new Date(startedAt + 7 * 24 * 3600_000).toISOString());
      const remindAt = Date.parse(plan.approval?.remindAt ?? new Date(deadline - 24 * 3600_000).toISOString());
      approvalDeadline = new Date(deadline).toISOString();
      awaitingApproval = true;
      show('awaiting_approval', 'waiting for approval', 'awaiting_approval');
      let decided = await condition(() => decision !== undefined, Math.max(1, remindAt - Date.now()), { summary: 'waiting for approval' });
      if (!decided) {
        await threadActivities.replyOnThread({ thread, text: `@${command.requester} the plan for \`${command.request}\` still waits for approval; it expires at ${approvalDeadline}.` });
        decided = await condition(() => decision !== undefined, Math.max(1, deadline - Date.now()), { summary: 'waiting for approval (reminded)' });
      }
      awaitingApproval = false;
      if (decision === undefined) {
        await finish('expired', `Nobody approved the plan before ${approvalDeadline}, so nothing was done.`, { usage: planUsage });
        show('done', 'expired', 'expired');
        return ended('expired', 'approval expired');
      }
      if (decision.decision === 'reject') {
        await finish('rejected', `The plan was rejected${decision.reason ? `: ${decision.reason}` : ''}. Nothing was done.`, { usage: planUsage });
        show('done', 'rejected', 'rejected');
        return { ...ended('rejected', decision.reason ?? 'rejected'), ...(session.id === undefined ? {} : { agentSessionId: session.id }) };
      }
    }

    show('running', needsApproval ? 'running the approved plan' : AGENT_RUN, 'running');
    const run = await runAgent('execute', session);
    await finish('succeeded', run.text, {
      usage: addUsage(planUsage, run.usage),
      truncated: run.truncated,
      answerPath: run.answerPath ?? run.logPath,
      ...(run.answerChars === undefined ? {} : { answerChars: run.answerChars }),
      ...(run.note === undefined ? {} : { note: run.note }),
    });
    show('done', 'done', 'succeeded');
    return {
      ...ended('succeeded'),
      ...(run.sessionId === undefined ? {} : { agentSessionId: run.sessionId }),
      ...(run.sessionUsage === undefined ? {} : { agentSessionUsage: run.sessionUsage }),
    };
  } catch (error) {
    awaitingApproval = false;
    const left = failurePresence(error);
    if (left !== undefined) {
      presence = left;
      presenceUnknown = false;
    }
    if (isCancellation(error)) {
      // The scope is cancelled, so the final message must be posted outside it.
      await CancellationScope.nonCancellable(() => finish('cancelled', 'The task was cancelled and the agent was stopped.'));
      show('done', 'cancelled', 'cancelled');
      throw error;
    }
    const reason = failureReason(error);
    const failedUsage = failureUsage(error);
    log.warn('task failed', { taskId: command.taskId, reason });
    // When the provider itself refused (401/403/404/422), another post would only be refused again.
    const refused = (NON_RETRYABLE_PROVIDER_ERRORS as readonly string[]).includes(failureType(error) ?? '');
    if ((phase as TaskPhase) !== 'posting' && !refused) await finish('failed', `The agent could not complete this request: ${reason}`, { usage: failedUsage });
    show('done', 'failed', 'failed');
    throw ApplicationFailure.create({ message: reason, type: failureType(error) ?? ErrorType.AgentFailed, nonRetryable: true, details: [failedUsage], cause: error as Error });
  }
}

/** A run that no worker of its queue started in time: the activity's schedule-to-start timeout. */
function isScheduleToStartTimeout(error: unknown): boolean {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && typeof current === 'object' && current !== null; depth++) {
    // TimeoutFailure.timeoutType (@temporalio/common's TimeoutType.SCHEDULE_TO_START).
    if ((current as { timeoutType?: unknown }).timeoutType === 'SCHEDULE_TO_START') return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

function addUsage(a: AgentUsage, b: AgentUsage): AgentUsage {
  const sum: AgentUsage = { ...b };
  for (const key of ['costUsd', 'inputTokens', 'outputTokens', 'turns'] as const) {
    if (a[key] !== undefined || b[key] !== undefined) sum[key] = (a[key] ?? 0) + (b[key] ?? 0);
  }
  return sum;
}
