/** The janitor's workflow type, as schedules and scripts name it. */
export const JANITOR_WORKFLOW_TYPE = 'janitorWorkflow';

/**
 * `agent-bot-janitor:<task queue>@<worker id>`: one schedule per worker, each cleaning the data dir of its
 * own worker (a workspace is only ever cleaned by the worker that holds it). Without a worker id, the id of
 * the single schedule of the first versions (`agent-bot-janitor:<task queue>`).
 */
export function janitorScheduleId(taskQueue: string, workerId?: string): string {
  return workerId === undefined ? `agent-bot-janitor:${taskQueue}` : `agent-bot-janitor:${taskQueue}@${workerId}`;
}

/** Input of the janitor workflow: the schedule fills it from JANITOR_RETENTION and JANITOR_IDLE_CLOSE. */
export interface JanitorInput {
  /** Decide as usual, but delete and close nothing: the result lists what would be. */
  dryRun?: boolean;
  /** Workspaces and logs go once their workflow closed longer ago than this. */
  retentionMs: number;
  /** A target with nothing running or queued and no activity for longer than this is closed. */
  idleCloseMs: number;
  /**
   * The task queue of the worker whose data dir this run cleans (its own agent queue); absent in runs of
   * the first versions: any worker's.
   */
  activityTaskQueue?: string;
}

/** What Temporal knows about the workflow a folder belongs to. */
export interface WorkflowFacts {
  workflowId: string;
  state: 'running' | 'closed' | 'not_found';
  /** ISO time; set when closed. */
  closeTime?: string;
}

/** A running target workflow, with the answer of its `status` query (absent when the query failed). */
export interface TargetFacts extends WorkflowFacts {
  status?: {
    phase: 'idle' | 'running' | 'closing';
    currentTaskId?: string;
    queued: number;
    /** Requests waiting on a timer (`@agent in 2h ...`): a target with any is not idle. */
    deferred: number;
    lastActivityAt: string;
  };
  statusError?: string;
}

/** A folder on disk, measured: apparent size of every file, and the newest modification time in it. */
export interface FolderFacts {
  path: string;
  bytes: number;
  lastWriteAt: string;
}

export interface WorkspaceFacts extends FolderFacts {
  target: TargetFacts;
  /** Task workflows of this target that Temporal lists as running. */
  runningTaskIds: string[];
}

export interface LogFacts extends FolderFacts {
  taskId: string;
  task: WorkflowFacts;
}

/** Everything the janitor looked at, gathered by one activity; the workflow decides from it. */
export interface JanitorSurvey {
  surveyedAt: string;
  /** Running targets on the janitor's task queue (the idle-close candidates). */
  targets: TargetFacts[];
  workspaces: WorkspaceFacts[];
  logs: LogFacts[];
  problems: string[];
}

export type JanitorFolderKind = 'workspace' | 'log';

/** A folder removed (or, in a dry run, that would be). */
export interface RemovedFolder {
  kind: JanitorFolderKind;
  path: string;
  bytes: number;
  reason: string;
}

export interface KeptFolder {
  kind: JanitorFolderKind;
  path: string;
  reason: string;
}

/** Removal planned by the workflow, checked again by the activity just before it deletes. */
export interface RemovalRequest {
  kind: JanitorFolderKind;
  path: string;
  reason: string;
  /** Workspaces: the target workflow, which must still not be running. Logs: the task workflow. */
  workflowId: string;
  taskId?: string;
}

export interface ClosedTarget {
  workflowId: string;
  idleMs: number;
}

/** Result of one janitor run; the same shape for a dry run, where every list says "would". */
export interface JanitorResult {
  dryRun: boolean;
  retentionMs: number;
  idleCloseMs: number;
  removed: RemovedFolder[];
  freedBytes: number;
  closedTargets: ClosedTarget[];
  /** Counts by reason, complete; `keptFolders` lists the first MAX_LISTED_KEPT of them. */
  kept: { workspaces: number; logs: number; byReason: Record<string, number> };
  keptFolders: KeptFolder[];
  /** Planned, then left alone because things changed meanwhile (e.g. the target started again). */
  skipped: KeptFolder[];
  problems: string[];
}

export const MAX_LISTED_KEPT = 200;

/** `1.5 MB`: sizes in reports. */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(1)} ${units[unit]}`;
}
