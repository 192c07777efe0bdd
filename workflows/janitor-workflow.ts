import { getExternalWorkflowHandle, log, proxyActivities, setCurrentDetails, workflowInfo } from '@temporalio/workflow';
import type { createJanitorActivities } from '../activities/janitor-activities';
import { MAX_LISTED_KEPT, type JanitorInput, type JanitorResult } from '../contracts/janitor';
import { closeSignal } from '../contracts/messages';
import { failureReason } from './failures';
import { formatAge, planJanitor } from './janitor-plan';
import { renderJanitorReport } from './janitor-report';

/** The janitor's activities, on the queue of the worker whose data dir it cleans (absent: the workflow's own). */
function janitorActivities(taskQueue: string | undefined) {
  return proxyActivities<ReturnType<typeof createJanitorActivities>>({
    ...(taskQueue === undefined ? {} : { taskQueue }),
    // Measuring big clones takes a while; the heartbeats show it is still going.
    startToCloseTimeout: '1h',
    heartbeatTimeout: '1m',
    retry: { initialInterval: '5s', maximumAttempts: 3 },
  });
}

/**
 * Removes workspaces and task logs whose workflow closed longer ago than the retention, closes targets
 * idle for longer than `idleCloseMs`, and never touches a running task's folders. Started daily by the
 * `agent-bot-janitor:<task queue>@<worker id>` schedule of each worker (on that worker's data dir), or once
 * by `npm run janitor [-- --dry-run]`.
 */
export async function janitorWorkflow(input: JanitorInput): Promise<JanitorResult> {
  const dryRun = input.dryRun === true;
  const janitor = janitorActivities(input.activityTaskQueue);
  setCurrentDetails(`**Janitor**${dryRun ? ' (dry run)' : ''} · surveying workspaces, logs and targets`);
  const survey = await janitor.janitorSurvey.executeWithOptions({ summary: 'survey workspaces, logs and targets' }, [{ taskQueue: workflowInfo().taskQueue }]);
  const plan = planJanitor(survey, { nowMs: Date.parse(survey.surveyedAt), retentionMs: input.retentionMs, idleCloseMs: input.idleCloseMs });

  const byReason: Record<string, number> = {};
  for (const item of plan.keep) byReason[item.reason] = (byReason[item.reason] ?? 0) + 1;
  const result: JanitorResult = {
    dryRun,
    retentionMs: input.retentionMs,
    idleCloseMs: input.idleCloseMs,
    removed: plan.remove.map(({ kind, path, bytes, reason }) => ({ kind, path, bytes, reason })),
    freedBytes: plan.remove.reduce((sum, item) => sum + item.bytes, 0),
    closedTargets: plan.close,
    kept: {
      workspaces: plan.keep.filter((item) => item.kind === 'workspace').length,
      logs: plan.keep.filter((item) => item.kind === 'log').length,
      byReason,
    },
    keptFolders: plan.keep.slice(0, MAX_LISTED_KEPT),
    skipped: [],
    problems: survey.problems,
  };
  if (dryRun) {
    setCurrentDetails(renderJanitorReport(result));
    return result;
  }

  setCurrentDetails(renderJanitorReport(result, 'closing idle targets and removing folders'));
  result.closedTargets = [];
  for (const target of plan.close) {
    try {
      await getExternalWorkflowHandle(target.workflowId).signal(closeSignal, { reason: `idle for ${formatAge(target.idleMs)}: closed by the janitor` });
      result.closedTargets.push(target);
    } catch (error) {
      // It closed on its own meanwhile, most likely.
      result.problems.push(`closing ${target.workflowId} failed: ${failureReason(error)}`);
    }
  }
  if (plan.remove.length > 0) {
    const outcome = await janitor.janitorRemove.executeWithOptions({ summary: `remove ${plan.remove.length} folders` }, [
      { requests: plan.remove.map(({ kind, path, reason, workflowId, taskId }) => ({ kind, path, reason, workflowId, ...(taskId === undefined ? {} : { taskId }) })) },
    ]);
    result.removed = outcome.removed;
    result.freedBytes = outcome.removed.reduce((sum, item) => sum + item.bytes, 0);
    result.skipped = outcome.skipped;
    result.problems.push(...outcome.problems);
  }
  log.info('janitor done', { removed: result.removed.length, freedBytes: result.freedBytes, closed: result.closedTargets.length, skipped: result.skipped.length });
  setCurrentDetails(renderJanitorReport(result));
  return result;
}
