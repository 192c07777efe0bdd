import type {
  ClosedTarget,
  JanitorSurvey,
  KeptFolder,
  LogFacts,
  RemovalRequest,
  TargetFacts,
  WorkspaceFacts,
} from '../contracts/janitor';

export interface JanitorPlan {
  remove: (RemovalRequest & { bytes: number })[];
  close: ClosedTarget[];
  keep: KeptFolder[];
}

export interface PlanOptions {
  nowMs: number;
  retentionMs: number;
  idleCloseMs: number;
}

/** Reasons a folder stays: constant strings, so the result can count them. */
export const KEEP = {
  taskRunning: 'task running',
  tasksQueued: 'tasks queued',
  targetActive: 'target active',
  targetClosing: 'target closing',
  targetIdleClosing: 'target idle: closing it',
  statusUnknown: 'target running, status unknown',
  closedRecently: 'closed within the retention',
  noRecordRecent: 'no workflow record, written within the retention',
} as const;

/**
 * The janitor's decisions, from facts only (pure, so replay and unit tests see the same plan):
 * a running task's folder is never removed; a workspace or log goes when its workflow closed longer
 * ago than the retention, or when Temporal has no record and nothing was written there for as long.
 */
export function planJanitor(survey: JanitorSurvey, options: PlanOptions): JanitorPlan {
  const close = survey.targets.flatMap((target) => idleClose(target, options));
  const closing = new Set(close.map((item) => item.workflowId));
  const plan: JanitorPlan = { remove: [], close, keep: [] };
  for (const workspace of survey.workspaces) {
    const keep = keepWorkspace(workspace, closing, options);
    if (keep !== undefined) plan.keep.push({ kind: 'workspace', path: workspace.path, reason: keep });
    else plan.remove.push({ kind: 'workspace', path: workspace.path, bytes: workspace.bytes, workflowId: workspace.target.workflowId, reason: staleReason(workspace.target, workspace, options) });
  }
  for (const log of survey.logs) {
    const keep = keepLog(log, options);
    if (keep !== undefined) plan.keep.push({ kind: 'log', path: log.path, reason: keep });
    else plan.remove.push({ kind: 'log', path: log.path, bytes: log.bytes, workflowId: log.task.workflowId, taskId: log.taskId, reason: staleReason(log.task, log, options) });
  }
  return plan;
}

function idleClose(target: TargetFacts, options: PlanOptions): ClosedTarget[] {
  const status = target.status;
  if (target.state !== 'running' || status === undefined) return [];
  if (status.phase !== 'idle' || status.currentTaskId !== undefined || status.queued > 0 || status.deferred > 0) return [];
  const idleMs = options.nowMs - Date.parse(status.lastActivityAt);
  return idleMs > options.idleCloseMs ? [{ workflowId: target.workflowId, idleMs }] : [];
}

function keepWorkspace(workspace: WorkspaceFacts, closing: Set<string>, options: PlanOptions): string | undefined {
  const { target } = workspace;
  if (workspace.runningTaskIds.length > 0 || target.status?.currentTaskId !== undefined) return KEEP.taskRunning;
  if (target.state === 'running') {
    if (target.status === undefined) return KEEP.statusUnknown;
    if (target.status.queued > 0 || target.status.deferred > 0) return KEEP.tasksQueued;
    if (target.status.phase === 'closing') return KEEP.targetClosing;
    return closing.has(target.workflowId) ? KEEP.targetIdleClosing : KEEP.targetActive;
  }
  return isStale(target, workspace, options) ? undefined : keepReason(target);
}

function keepLog(log: LogFacts, options: PlanOptions): string | undefined {
  if (log.task.state === 'running') return KEEP.taskRunning;
  return isStale(log.task, log, options) ? undefined : keepReason(log.task);
}

/** Closed longer ago than the retention; with no record at all, untouched for as long. */
function isStale(workflow: { state: string; closeTime?: string }, folder: { lastWriteAt: string }, options: PlanOptions): boolean {
  const since = workflow.state === 'closed' && workflow.closeTime !== undefined ? workflow.closeTime : folder.lastWriteAt;
  return options.nowMs - Date.parse(since) > options.retentionMs;
}

function keepReason(workflow: { state: string }): string {
  return workflow.state === 'closed' ? KEEP.closedRecently : KEEP.noRecordRecent;
}

function staleReason(workflow: { state: string; closeTime?: string }, folder: { lastWriteAt: string }, options: PlanOptions): string {
  if (workflow.state === 'closed' && workflow.closeTime !== undefined) {
    return `closed ${formatAge(options.nowMs - Date.parse(workflow.closeTime))} ago`;
  }
  return `no workflow record, untouched for ${formatAge(options.nowMs - Date.parse(folder.lastWriteAt))}`;
}

/** `3d 4h`, `12m 5s`: the two largest units. */
export function formatAge(ms: number): string {
  const units: [string, number][] = [['d', 86_400_000], ['h', 3_600_000], ['m', 60_000], ['s', 1000]];
  const parts: string[] = [];
  let rest = Math.max(0, ms);
  for (const [name, size] of units) {
    const count = Math.floor(rest / size);
    rest -= count * size;
    if (count > 0 || parts.length > 0) parts.push(`${count}${name}`);
    if (parts.length === 2) break;
  }
  return parts.length === 0 ? `${Math.round(ms)}ms` : parts.filter((part, index) => index === 0 || !part.startsWith('0')).join(' ');
}
