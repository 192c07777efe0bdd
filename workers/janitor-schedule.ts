import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy, type ScheduleOptionsAction } from '@temporalio/client';
import type { Config } from '../config/load';
import { JANITOR_WORKFLOW_TYPE, janitorScheduleId, type JanitorInput } from '../contracts/janitor';
import { workerAgentTaskQueue } from '../contracts/task-queues';

/**
 * Creates the janitor's schedule, or brings an existing one up to date with the config (cron, retention,
 * idle close): every worker start calls this, so it must be idempotent. A pause set by an operator stays.
 */
export async function ensureJanitorSchedule(client: Client, config: Config): Promise<'created' | 'updated'> {
  const scheduleId = janitorScheduleId(config.TEMPORAL_TASK_QUEUE, config.AGENT_WORKER_ID);
  // This worker's own queue: its janitor surveys and cleans this worker's data dir, nobody else's.
  const input: JanitorInput = { retentionMs: config.JANITOR_RETENTION, idleCloseMs: config.JANITOR_IDLE_CLOSE, activityTaskQueue: workerAgentTaskQueue(config.TEMPORAL_TASK_QUEUE, config.AGENT_WORKER_ID) };
  const spec = { cronExpressions: [config.JANITOR_SCHEDULE] };
  const action: ScheduleOptionsAction = {
    type: 'startWorkflow',
    workflowType: JANITOR_WORKFLOW_TYPE,
    workflowId: scheduleId,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    args: [input],
    // A stuck run would make SKIP skip every later one: this bounds it.
    workflowRunTimeout: '6h',
    staticSummary: `janitor of worker ${config.AGENT_WORKER_ID}: stale workspaces and logs, idle targets`.slice(0, 200),
  };
  // The single schedule of the first versions cleaned whichever worker's disk its activity landed on: gone.
  await client.schedule.getHandle(janitorScheduleId(config.TEMPORAL_TASK_QUEUE)).delete().catch(() => undefined);
  try {
    try {
      await client.schedule.create({ scheduleId, spec, action, policies: { overlap: ScheduleOverlapPolicy.SKIP } });
      return 'created';
    } catch (error) {
      if (!(error instanceof ScheduleAlreadyRunning)) throw error;
    }
    await client.schedule.getHandle(scheduleId).update((previous) => ({
      ...previous,
      spec,
      action,
      policies: { ...previous.policies, overlap: ScheduleOverlapPolicy.SKIP },
    }));
    return 'updated';
  } catch (error) {
    throw new Error(`setting up the janitor schedule ${scheduleId} (JANITOR_SCHEDULE "${config.JANITOR_SCHEDULE}") failed: ${(error as Error).message}`, { cause: error });
  }
}
