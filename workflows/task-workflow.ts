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
import { progressSignal } from '../contracts/messages';
import { AgentStatus, type AgentStatusValue } from '../contracts/search-attributes';
import type { AgentProgress, TaskOutcome, TaskResult, TaskWorkflowInput } from '../contracts/task';
import { ErrorType } from '../contracts/errors';
import { agentActivities, github } from './activity-proxies';
import { renderTaskDetails } from './details';
import { failureReason, failureType } from './failures';

/**
 * One command, from start to its final comment: run the agent, then post the answer or the reason it
 * has none. Cancelling this workflow kills the agent and still posts a "cancelled" comment.
 */
export async function taskWorkflow(input: TaskWorkflowInput): Promise<TaskResult> {
  const { target, command } = input;
  const taskWorkflowId = workflowInfo().workflowId;
  const agent = agentActivities();
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
    progress = update.progress;
    setCurrentDetails(renderTaskDetails(stage, progress));
  });

  const publish = async (outcome: TaskOutcome, text: string, extra: { usage?: TaskResult['usage']; truncated?: boolean; logPath?: string }) => {
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
    showStage('running the agent', 'running');
    const run = await agent.runAgent.executeWithOptions(
      { summary: `agent: ${command.request.slice(0, 80)}` },
      [
        {
          target,
          targetWorkflowId: input.targetWorkflowId,
          taskWorkflowId,
          command,
          ...(input.agentSessionId === undefined ? {} : { agentSessionId: input.agentSessionId }),
        },
      ],
    );
    await publish('succeeded', run.text, { usage: run.usage, truncated: run.truncated, logPath: run.logPath });
    showStage('done', 'succeeded');
    return {
      taskId: command.taskId,
      outcome: 'succeeded',
      durationMs: Date.now() - startedAt,
      usage: run.usage,
      ...(run.sessionId === undefined ? {} : { agentSessionId: run.sessionId }),
    };
  } catch (error) {
    if (isCancellation(error)) {
      // The scope is cancelled, so the final comment must run outside it.
      await CancellationScope.nonCancellable(() => publish('cancelled', 'The task was cancelled and the agent was stopped.', {}));
      showStage('cancelled', 'cancelled');
      throw error;
    }
    const reason = failureReason(error);
    log.warn('task failed', { taskId: command.taskId, reason });
    if (stage !== 'posting the result') {
      await publish('failed', `The agent could not complete this request: ${reason}`, {});
    }
    showStage('failed', 'failed');
    throw ApplicationFailure.create({ message: reason, type: failureType(error) ?? ErrorType.AgentFailed, nonRetryable: true, cause: error as Error });
  }
}
