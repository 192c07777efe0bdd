import {
  ApplicationFailure,
  CancellationScope,
  condition,
  isCancellation,
  log,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import type { ApprovalDecision } from '../../contracts/approval';
import { ErrorType, NON_RETRYABLE_GITHUB_ERRORS } from '../../contracts/errors';
import { approvalSignal, approvalUpdate, progressSignal, taskStatusQuery } from '../../contracts/messages';
import { AgentStatus, type AgentStatusValue } from '../../contracts/search-attributes';
import { targetLabel } from '../../contracts/target';
import type { AgentProgress, AgentUsage, TaskOutcome, TaskResult, TaskWorkflowInput } from '../../contracts/task';
import type { TargetRef } from '../../contracts/target';

/** The pre-thread task input: a GitHub target. */
export type LegacyTaskWorkflowInput = Omit<TaskWorkflowInput, 'target' | 'thread'> & { target: TargetRef };
import type { TaskPhase, TaskStatus } from '../../contracts/task-status';
import { agentActivities, github, thread } from './activity-proxies-v1';
import { renderTaskDetails } from '../details';
import { failureReason, failureType, failureUsage } from '../failures';
import { TaskPresence } from './task-presence-v1';

/** Stage of a task whose agent run waits for a worker with a free slot (AGENT_MAX_CONCURRENT). */
export const WAITING_FOR_AGENT = 'waiting for an agent slot';

type RecordedDecision = ApprovalDecision & { at: string };

/**
 * FROZEN: the task workflow as it was before provider-neutral threads (see target-workflow-v1.ts): only
 * recorded histories replay it. Change nothing in it.
 *
 * One command, from start to its final comment. A command that needs approval first runs a planning
 * pass, shows the plan and waits (days cost nothing) for a person; then the agent runs and the task's
 * comment, edited in place all along, becomes the result. Every ending finalizes that comment:
 * success, failure, cancelled, timed out, rejected or expired.
 */
export async function taskWorkflowV1(input: LegacyTaskWorkflowInput): Promise<TaskResult> {
  const { target, command } = input;
  const needsApproval = command.needsApproval === true;
  const agent = agentActivities();
  const taskWorkflowId = workflowInfo().workflowId;
  const startedAt = Date.now();
  let phase: TaskPhase = 'starting';
  let stage = 'starting';
  let progress: AgentProgress | undefined;
  let presence: TaskPresence | undefined;
  let awaitingApproval = false;
  let approvalDeadline: string | undefined;
  let decision: RecordedDecision | undefined;
  let outcome: TaskOutcome | undefined;
  let usage: AgentUsage = {};

  const show = (nextPhase: TaskPhase, nextStage: string, status: AgentStatusValue): void => {
    phase = nextPhase;
    stage = nextStage;
    upsertSearchAttributes([{ key: AgentStatus, value: status }]);
    setCurrentDetails(renderTaskDetails(stage, progress));
    presence?.showStage(stage);
  };

  setHandler(taskStatusQuery, (): TaskStatus => ({
    taskId: command.taskId,
    target: targetLabel(target),
    request: command.request,
    requester: command.requester,
    phase,
    stage,
    needsApproval,
    ...(approvalDeadline === undefined ? {} : { approvalDeadline }),
    ...(decision === undefined ? {} : { approval: { decision: decision.decision, by: decision.by, via: decision.via, at: decision.at, ...(decision.reason ? { reason: decision.reason } : {}) } }),
    ...(progress === undefined ? {} : { progress }),
    ...(outcome === undefined ? {} : { outcome, usage }),
  }));
  setHandler(progressSignal, (update) => {
    if (update.taskId !== command.taskId) return;
    if (stage === WAITING_FOR_AGENT) show('running', 'running the agent', 'running');
    progress = update.progress;
    setCurrentDetails(renderTaskDetails(stage, progress));
    presence?.showProgress(progress);
  });

  /** A decision counts once, while the task waits, and only from someone who may approve. */
  const decide = async (candidate: ApprovalDecision): Promise<boolean> => {
    if (candidate.trusted !== true && !(await thread.mayApprove({ target, login: candidate.by }))) {
      log.warn('approval refused: not allowed', { by: candidate.by, via: candidate.via });
      await thread.postReply({ target, body: `@${candidate.by} you may not approve or reject tasks on this repository (write access is needed).` });
      return false;
    }
    if (!awaitingApproval || decision !== undefined) return false;
    decision = { ...candidate, at: new Date().toISOString() };
    log.info('approval decision', { decision: decision.decision, by: decision.by, via: decision.via });
    return true;
  };
  setHandler(approvalSignal, async (candidate) => {
    if (!awaitingApproval && decision === undefined && candidate.via === 'comment') {
      await thread.postReply({ target, body: `@${candidate.by} the current task is not waiting for approval.` });
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

  const publish = async (result: TaskOutcome, text: string, extra: { usage?: AgentUsage; truncated?: boolean; logPath?: string } = {}) => {
    outcome = result;
    usage = extra.usage ?? {};
    await presence?.freeze();
    show('posting', 'posting the result', 'posting');
    await github.publishTaskResult.executeWithOptions({ summary: `post ${result} comment` }, [
      {
        target,
        taskWorkflowId,
        taskId: command.taskId,
        outcome: result,
        request: command.request,
        requester: command.requester,
        text: decision === undefined ? text : `${text}\n\n_${decision.decision === 'approve' ? 'Approved' : 'Rejected'} by @${decision.by} via ${decision.via}._`,
        durationMs: Date.now() - startedAt,
        usage: usage,
        logPath: extra.logPath ?? `logs/tasks/${command.taskId}/stream.jsonl`,
        since: new Date(startedAt).toISOString(),
        ...(extra.truncated === undefined ? {} : { truncated: extra.truncated }),
      },
    ]);
    await presence?.finish(result, text.slice(0, 2_000));
    await github.addReaction.executeWithOptions({ summary: result === 'succeeded' ? 'react 🚀' : 'react 😕' }, [
      { target, commentId: command.commentId ?? 0, content: result === 'succeeded' ? 'rocket' : 'confused' },
    ]);
  };
  const ended = (result: TaskOutcome, reason?: string): TaskResult => ({
    taskId: command.taskId,
    outcome: result,
    durationMs: Date.now() - startedAt,
    usage,
    ...(reason === undefined ? {} : { reason }),
  });

  try {
    const began = await thread.beginTask.executeWithOptions({ summary: 'comment and check run' }, [
      { target, taskWorkflowId, taskId: command.taskId, request: command.request, requester: command.requester, since: new Date(startedAt).toISOString() },
    ]);
    presence = new TaskPresence(target, command, taskWorkflowId, began, startedAt);
    const pullRequest = began.pullRequest === undefined ? undefined : { baseRef: began.pullRequest.baseRef, headRef: began.pullRequest.headRef };
    let sessionId = input.agentSessionId;
    let sessionUsage = input.agentSessionUsage;
    let planUsage: AgentUsage = {};

    if (needsApproval) {
      show('planning', WAITING_FOR_AGENT, 'queued');
      const plan = await agent.runAgent.executeWithOptions({ summary: `plan: ${command.request.slice(0, 80)}` }, [
        {
          target,
          targetWorkflowId: input.targetWorkflowId,
          taskWorkflowId,
          command,
          mode: 'plan',
          ...(sessionId === undefined ? {} : { agentSessionId: sessionId }),
          ...(sessionUsage === undefined ? {} : { agentSessionUsage: sessionUsage }),
          ...(pullRequest === undefined ? {} : { pullRequest }),
        },
      ]);
      sessionId = plan.sessionId ?? sessionId;
      sessionUsage = plan.sessionUsage ?? sessionUsage;
      planUsage = plan.usage;
      const deadline = startedAt + began.settings.approvalTimeoutMs;
      approvalDeadline = new Date(deadline).toISOString();
      await presence.askForApproval(plan.text, approvalDeadline);
      awaitingApproval = true;
      show('awaiting_approval', 'waiting for approval', 'awaiting_approval');
      const remindAt = deadline - began.settings.approvalReminderMs;
      let decided = await condition(() => decision !== undefined, Math.max(1, remindAt - Date.now()), { summary: 'waiting for approval' });
      if (!decided) {
        await thread.postReply({ target, body: `@${command.requester} the plan for \`${command.request}\` still waits for approval; it expires at ${approvalDeadline}.` });
        decided = await condition(() => decision !== undefined, Math.max(1, deadline - Date.now()), { summary: 'waiting for approval (reminded)' });
      }
      awaitingApproval = false;
      if (decision === undefined) {
        usage = planUsage;
        await publish('expired', `Nobody approved the plan before ${approvalDeadline}, so nothing was done.`, { usage: planUsage });
        show('done', 'expired', 'expired');
        return ended('expired', 'approval expired');
      }
      if (decision.decision === 'reject') {
        await publish('rejected', `The plan was rejected${decision.reason ? `: ${decision.reason}` : ''}. Nothing was done.`, { usage: planUsage });
        show('done', 'rejected', 'rejected');
        return { ...ended('rejected', decision.reason ?? 'rejected'), ...(sessionId === undefined ? {} : { agentSessionId: sessionId }) };
      }
      presence.resume();
      await presence.reopenCheckRun(`Approved by @${decision.by}; running.`);
    }

    show('running', WAITING_FOR_AGENT, 'queued');
    const run = await agent.runAgent.executeWithOptions({ summary: `agent: ${command.request.slice(0, 80)}` }, [
      {
        target,
        targetWorkflowId: input.targetWorkflowId,
        taskWorkflowId,
        command,
        ...(sessionId === undefined ? {} : { agentSessionId: sessionId }),
        ...(sessionUsage === undefined ? {} : { agentSessionUsage: sessionUsage }),
        ...(pullRequest === undefined ? {} : { pullRequest }),
        ...(decision === undefined ? {} : { approvedBy: decision.by }),
      },
    ]);
    const total = addUsage(planUsage, run.usage);
    await publish('succeeded', run.text, { usage: total, truncated: run.truncated, logPath: run.logPath });
    show('done', 'done', 'succeeded');
    return {
      ...ended('succeeded'),
      ...(run.sessionId === undefined ? {} : { agentSessionId: run.sessionId }),
      ...(run.sessionUsage === undefined ? {} : { agentSessionUsage: run.sessionUsage }),
    };
  } catch (error) {
    awaitingApproval = false;
    if (isCancellation(error)) {
      // The scope is cancelled, so the final comment must run outside it.
      await CancellationScope.nonCancellable(() => publish('cancelled', 'The task was cancelled and the agent was stopped.'));
      show('done', 'cancelled', 'cancelled');
      throw error;
    }
    const reason = failureReason(error);
    const failedUsage = failureUsage(error);
    log.warn('task failed', { taskId: command.taskId, reason });
    // When GitHub itself refused (401/403/404/422), another post would only be refused again.
    const githubRefused = (NON_RETRYABLE_GITHUB_ERRORS as readonly string[]).includes(failureType(error) ?? '');
    if ((phase as TaskPhase) !== 'posting' && !githubRefused) await publish('failed', `The agent could not complete this request: ${reason}`, { usage: failedUsage });
    show('done', 'failed', 'failed');
    throw ApplicationFailure.create({ message: reason, type: failureType(error) ?? ErrorType.AgentFailed, nonRetryable: true, details: [failedUsage], cause: error as Error });
  }
}

function addUsage(a: AgentUsage, b: AgentUsage): AgentUsage {
  const sum: AgentUsage = { ...b };
  for (const key of ['costUsd', 'inputTokens', 'outputTokens', 'turns'] as const) {
    if (a[key] !== undefined || b[key] !== undefined) sum[key] = (a[key] ?? 0) + (b[key] ?? 0);
  }
  return sum;
}
