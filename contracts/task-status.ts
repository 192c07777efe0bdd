import type { AgentProgress, AgentUsage, TaskOutcome } from './task';

export type TaskPhase = 'starting' | 'planning' | 'awaiting_approval' | 'running' | 'posting' | 'done';

/** Answer of the `taskStatus` query on a task workflow. */
export interface TaskStatus {
  taskId: string;
  target: string;
  request: string;
  requester: string;
  phase: TaskPhase;
  stage: string;
  needsApproval: boolean;
  /** While waiting: when the wait ends as expired. */
  approvalDeadline?: string;
  approval?: { decision: 'approve' | 'reject'; by: string; via: string; reason?: string; at: string };
  progress?: AgentProgress;
  outcome?: TaskOutcome;
  usage?: AgentUsage;
}
