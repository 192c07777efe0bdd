import { ActivityCancellationType, proxyActivities, proxyLocalActivities, workflowInfo } from '@temporalio/workflow';
import type { createAgentActivities } from '../activities/agent/run-agent';
import type { ThreadActivities } from '../activities/thread-activities';
import { ErrorType } from '../contracts/errors';
import { agentTaskQueue } from '../contracts/task-queues';

type AgentActivities = ReturnType<typeof createAgentActivities>;

/**
 * The agent run: it also shows the task on its thread while it works (progress edits happen inside the
 * activity, through the provider's write budget, and cost no history events). It enforces
 * AGENT_TIMEOUT itself; start-to-close is a backstop. The heartbeat timeout is what notices a dead
 * worker: 20 s, so a retry starts within ~30 s.
 */
export function agentActivities(pinned?: { taskQueue: string; stickyWaitMs: number }) {
  return proxyActivities<AgentActivities>({
    // A queue of its own, polled by workers whose slots equal AGENT_MAX_CONCURRENT: extra tasks wait there.
    // Or the queue of the one worker that holds the thread's workspace and session, for as long as the
    // thread's sticky wait: a worker that does not take it by then is gone, and any worker will.
    taskQueue: pinned?.taskQueue ?? agentTaskQueue(workflowInfo().taskQueue),
    ...(pinned === undefined ? {} : { scheduleToStartTimeout: pinned.stickyWaitMs }),
    startToCloseTimeout: '24h',
    heartbeatTimeout: '20s',
    // Wait for the process group to be killed before the "cancelled" message goes out.
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
    retry: {
      initialInterval: '2s',
      maximumAttempts: 3,
      nonRetryableErrorTypes: [ErrorType.AgentFailed, ErrorType.AgentTimeout, ErrorType.AgentCommandNotFound],
    },
  });
}

/** Writes on the thread (final message, replies): 5xx and 429 retry with backoff; refusals fail at once. */
export const thread = proxyActivities<ThreadActivities>({
  startToCloseTimeout: '2m',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '1m', maximumAttempts: 12 },
});

/**
 * Idempotent or read-only calls (a reaction, who may approve): local activities, one marker event each
 * instead of three events and a workflow task.
 */
export const threadLocal = proxyLocalActivities<ThreadActivities>({
  startToCloseTimeout: '30s',
  retry: { initialInterval: '1s', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: 6 },
});
