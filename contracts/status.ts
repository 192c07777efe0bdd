import type { AgentProgress, AgentUsage, TaskOutcome } from './task';
import type { ThreadRef } from './thread';

export type TargetPhase = 'idle' | 'running' | 'closing';

export interface QueuedTaskView {
  taskId: string;
  request: string;
  requester: string;
  receivedAt: string;
  commandName?: string;
  needsApproval?: boolean;
}

export interface DeferredTaskView extends QueuedTaskView {
  /** When it joins the queue. */
  runAt: string;
}

export interface CurrentTaskView extends QueuedTaskView {
  startedAt: string;
  /** `waiting for an agent slot` until a worker with a free slot picks the run up. */
  stage: string;
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
  inputTokens: number;
  outputTokens: number;
}

/** Answer of the `status` query on a target workflow. */
export interface TargetStatus {
  target: string;
  phase: TargetPhase;
  queued: QueuedTaskView[];
  deferred: DeferredTaskView[];
  current?: CurrentTaskView;
  past: PastTaskView[];
  totals: TargetTotals;
  agentSessionId?: string;
  /** When a command last arrived or a task last ended: the janitor closes targets idle for long. */
  lastActivityAt: string;
  /** The thread (absent in answers of conversations started before threads). */
  thread?: ThreadRef;
  /** The repository the thread works on, if any. */
  repo?: string;
  /** AGENT_WORKER_ID of the worker holding the thread's workspace and agent session, if pinned to one. */
  agentWorker?: string;
}
