import { ActivityCancellationType, proxyActivities, workflowInfo } from '@temporalio/workflow';
import type { createAgentActivities } from '../../activities/agent/run-agent';
import type { createLegacyGithubActivities } from '../../activities/legacy/github-activities';
import type { TaskThreadActivities } from '../../activities/legacy/task-thread-activities';
import { ErrorType } from '../../contracts/errors';
import { agentTaskQueue } from '../../contracts/task-queues';

type AgentActivities = ReturnType<typeof createAgentActivities>;
type GithubActivities = ReturnType<typeof createLegacyGithubActivities>;

/**
 * The agent run enforces AGENT_TIMEOUT itself (it knows the configured value); start-to-close is a
 * backstop. The heartbeat timeout is what notices a dead worker: 20 s, so a retry starts within ~30 s.
 */
export function agentActivities() {
  return proxyActivities<AgentActivities>({
  // A queue of its own, polled by a worker whose slots equal AGENT_MAX_CONCURRENT: extra tasks wait there.
  taskQueue: agentTaskQueue(workflowInfo().taskQueue),
  startToCloseTimeout: '24h',
  heartbeatTimeout: '20s',
  // Wait for the process group to be killed before the "cancelled" comment goes out.
  cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  retry: {
    initialInterval: '2s',
    maximumAttempts: 3,
    nonRetryableErrorTypes: [ErrorType.AgentFailed, ErrorType.AgentTimeout, ErrorType.AgentCommandNotFound],
  },
  });
}

/** GitHub calls: 5xx and 429 retry with backoff; the named 4xx types fail at once (set where classified). */
export const github = proxyActivities<GithubActivities>({
  startToCloseTimeout: '2m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 12 },
});

/** The task's comment, check run and replies: same retry rules as every GitHub call. */
export const thread = proxyActivities<TaskThreadActivities>({
  startToCloseTimeout: '2m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 12 },
});

/**
 * Progress edits are best effort and the final comment waits for the last one: they must give up
 * fast, e.g. when the worker that took one died, instead of holding the final answer for minutes.
 */
export const progress = proxyActivities<TaskThreadActivities>({
  startToCloseTimeout: '15s',
  retry: { initialInterval: '1s', maximumAttempts: 2 },
});
