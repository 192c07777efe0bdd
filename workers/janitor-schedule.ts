import { type Client, ScheduleAlreadyRunning, ScheduleOverlapPolicy, type ScheduleOptionsAction } from '@temporalio/client';
import type { Config } from '../config/load';
import { JANITOR_WORKFLOW_TYPE, janitorScheduleId, type JanitorInput } from '../contracts/janitor';

/**
 * Creates the janitor's schedule, or brings an existing one up to date with the config (cron, retention,
 * idle close): every worker start calls this, so it must be idempotent. A pause set by an operator stays.
 */
export async function ensureJanitorSchedule(client: Client, config: Config): Promise<'created' | 'updated'> {
  const scheduleId = janitorScheduleId(config.TEMPORAL_TASK_QUEUE);
  const input: JanitorInput = { retentionMs: config.JANITOR_RETENTION, idleCloseMs: config.JANITOR_IDLE_CLOSE };
  const spec = { cronExpressions: [config.JANITOR_SCHEDULE] };
  const action: ScheduleOptionsAction = {
    type: 'startWorkflow',
    workflowType: JANITOR_WORKFLOW_TYPE,
    workflowId: scheduleId,
    taskQueue: config.TEMPORAL_TASK_QUEUE,
    args: [input],
    // A stuck run would make SKIP skip every later one: this bounds it.
    workflowRunTimeout: '6h',
    staticSummary: 'janitor: stale workspaces and logs, idle targets',
  };
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
