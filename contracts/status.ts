import type { AgentProgress, AgentUsage, TaskOutcome } from './task';

export type TargetPhase = 'idle' | 'running' | 'closing';

export interface QueuedTaskView {
  taskId: string;
  request: string;
  requester: string;
  receivedAt: string;
}

export interface CurrentTaskView extends QueuedTaskView {
  startedAt: string;
  progress?: AgentProgress;
}

export interface PastTaskView extends QueuedTaskView {
  outcome: TaskOutcome;
  durationMs: number;
  usage: AgentUsage;
  reason?: string;
}

export interface TargetTotals {
  tasks: number;
  costUsd: number;
  durationMs: number;
}

/** Answer of the `status` query on a target workflow. */
export interface TargetStatus {
  target: string;
  phase: TargetPhase;
  queued: QueuedTaskView[];
  current?: CurrentTaskView;
  past: PastTaskView[];
  totals: TargetTotals;
  agentSessionId?: string;
}
