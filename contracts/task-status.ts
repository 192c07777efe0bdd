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
  /** While waiting for approval (and after): the plan the agent proposed, at most 64,000 characters. */
  plan?: string;
  /**
   * Once the task has its outcome: the text of its final message, i.e. the agent's answer on success,
   * the reason otherwise (at most 64,000 characters; `answerTruncated` when it was cut). Read from the
   * workflow itself, so the HTTP API answers it from any machine: a query on a closed task is answered
   * by replaying its history.
   */
  answer?: string;
  answerTruncated?: boolean;
  /** Once the task has its outcome: how long it took, in ms. */
  durationMs?: number;
}
