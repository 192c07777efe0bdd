import type { Context } from '@temporalio/activity';
import { CancelledFailure } from '@temporalio/common';
import { acquireLease, type HeldLease, type LeaseWait } from './lease';
import type { ProgressTracker } from './progress';
import type { TaskLog } from './task-log';

/**
 * Takes the workspace's lease for this activity attempt (see lease.ts), so that no earlier attempt's agent
 * still runs there. A wait shows as the progress stage, which the activity's heartbeats carry; the
 * activity's cancellation ends it.
 *
 * @throws CancelledFailure when the activity is cancelled while waiting.
 */
export async function leaseWorkspace(options: {
  ctx: Context;
  dataDir: string;
  /** The thread's workflow id: one agent at a time per thread, hence per workspace. */
  key: string;
  taskId: string;
  /** Time between SIGTERM and SIGKILL for an earlier attempt's agent on this machine, in ms. */
  killGraceMs: number;
  progress: ProgressTracker;
  taskLog: TaskLog;
}): Promise<HeldLease> {
  const { ctx, progress, taskLog } = options;
  const stageBefore = progress.snapshot().stage;
  let waited = false;
  const onWait = (wait: LeaseWait): void => {
    waited = true;
    const stage =
      wait.kind === 'stopping'
        ? `stopping an earlier attempt (${wait.holder.attempt}) on this machine`
        : `waiting for an earlier attempt on ${wait.holder?.host ?? 'an unknown machine'} to stop`;
    progress.stage(stage);
    taskLog.progress('lease', stage);
  };
  try {
    return await acquireLease({
      dataDir: options.dataDir,
      key: options.key,
      taskId: options.taskId,
      attempt: ctx.info.attempt,
      killGraceMs: options.killGraceMs,
      signal: ctx.cancellationSignal,
      onWait,
    });
  } catch (error) {
    if (!ctx.cancellationSignal.aborted) throw error;
    taskLog.completion(false, 'cancelled', { cancelled: true });
    throw new CancelledFailure('agent run cancelled while waiting for an earlier attempt to stop');
  } finally {
    if (waited) progress.stage(stageBefore);
  }
}
