import {
  ApplicationFailure,
  CancellationScope,
  isCancellation,
  log,
  setCurrentDetails,
  setHandler,
  upsertSearchAttributes,
  workflowInfo,
} from '@temporalio/workflow';
import { ErrorType } from '../contracts/errors';
import { progressSignal } from '../contracts/messages';
import { AgentStatus, type AgentStatusValue } from '../contracts/search-attributes';
import type { AgentProgress, AgentUsage, PullRequestRefs, TaskOutcome, TaskResult, TaskWorkflowInput } from '../contracts/task';
import { agentActivities, github } from './activity-proxies';
import { renderTaskDetails } from './details';
import { failureReason, failureType, failureUsage } from './failures';

/** Stage of a task whose agent run waits for a worker with a free slot (AGENT_MAX_CONCURRENT). */
export const WAITING_FOR_AGENT = 'waiting for an agent slot';

/**
 * One command, from start to its final comment: run the agent, then post the answer or the reason it
 * has none. Cancelling this workflow kills the agent and still posts a "cancelled" comment.
 */
export async function taskWorkflow(input: TaskWorkflowInput): Promise<TaskResult> {
  const { target, command } = input;
  const agent = agentActivities();
  const taskWorkflowId = workflowInfo().workflowId;
  const startedAt = Date.now();
  let stage = 'starting';
  let progress: AgentProgress | undefined;

  const showStage = (next: string, status: AgentStatusValue): void => {
    stage = next;
    upsertSearchAttributes([{ key: AgentStatus, value: status }]);
    setCurrentDetails(renderTaskDetails(stage, progress));
  };
  setHandler(progressSignal, (update) => {
    if (update.taskId !== command.taskId) return;
    if (stage === WAITING_FOR_AGENT) showStage('running the agent', 'running');
    progress = update.progress;
    setCurrentDetails(renderTaskDetails(stage, progress));
  });

  const publish = async (outcome: TaskOutcome, text: string, extra: { usage?: AgentUsage; truncated?: boolean; logPath?: string }) => {
    showStage('posting the result', 'posting');
    await github.publishTaskResult.executeWithOptions({ summary: `post ${outcome} comment` }, [
      {
        target,
        taskWorkflowId,
        taskId: command.taskId,
        outcome,
        request: command.request,
        requester: command.requester,
        text,
        durationMs: Date.now() - startedAt,
        usage: extra.usage ?? {},
        logPath: extra.logPath ?? `logs/tasks/${command.taskId}/stream.jsonl`,
        since: new Date(startedAt).toISOString(),
        ...(extra.truncated === undefined ? {} : { truncated: extra.truncated }),
      },
    ]);
    await github.addReaction.executeWithOptions({ summary: outcome === 'succeeded' ? 'react 🚀' : 'react 😕' }, [
      { target, commentId: command.commentId, content: outcome === 'succeeded' ? 'rocket' : 'confused' },
    ]);
  };

  try {
    let pullRequest: PullRequestRefs | undefined;
    if (target.kind === 'pull_request') {
      showStage('reading the pull request', 'running');
      pullRequest = await github.describePullRequest.executeWithOptions({ summary: 'read PR branches' }, [{ target }]);
    }
    showStage(WAITING_FOR_AGENT, 'queued');
    const run = await agent.runAgent.executeWithOptions({ summary: `agent: ${command.request.slice(0, 80)}` }, [
      {
        target,
        targetWorkflowId: input.targetWorkflowId,
        taskWorkflowId,
        command,
        ...(input.agentSessionId === undefined ? {} : { agentSessionId: input.agentSessionId }),
        ...(input.agentSessionUsage === undefined ? {} : { agentSessionUsage: input.agentSessionUsage }),
        ...(pullRequest === undefined ? {} : { pullRequest }),
      },
    ]);
    await publish('succeeded', run.text, { usage: run.usage, truncated: run.truncated, logPath: run.logPath });
    showStage('done', 'succeeded');
    return {
      taskId: command.taskId,
      outcome: 'succeeded',
      durationMs: Date.now() - startedAt,
      usage: run.usage,
      ...(run.sessionId === undefined ? {} : { agentSessionId: run.sessionId }),
      ...(run.sessionUsage === undefined ? {} : { agentSessionUsage: run.sessionUsage }),
    };
  } catch (error) {
    if (isCancellation(error)) {
      // The scope is cancelled, so the final comment must run outside it.
      await CancellationScope.nonCancellable(() => publish('cancelled', 'The task was cancelled and the agent was stopped.', {}));
      showStage('cancelled', 'cancelled');
      throw error;
    }
    const reason = failureReason(error);
    const usage = failureUsage(error);
    log.warn('task failed', { taskId: command.taskId, reason });
    if (stage !== 'posting the result') {
      await publish('failed', `The agent could not complete this request: ${reason}`, { usage });
    }
    showStage('failed', 'failed');
    throw ApplicationFailure.create({ message: reason, type: failureType(error) ?? ErrorType.AgentFailed, nonRetryable: true, details: [usage], cause: error as Error });
  }
}
