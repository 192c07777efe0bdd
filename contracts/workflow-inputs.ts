import type { TargetStatus } from './status';
import type { TargetRef } from './target';
import type { ThreadRef } from './thread';
import type { AgentUsage, Command } from './task';
import type { AgentWorkerRef } from './task-queues';

/** State a conversation workflow carries across continue-as-new. */
export interface TargetCarriedState {
  queue: Command[];
  /** `@agent in <duration> ...`: each waits on its own durable timer. */
  deferred?: Command[];
  /**
   * Bounded, oldest first: delivery ids and message keys already seen. Signals are not de-duplicated
   * by Temporal, so the workflow does it, and carries the set across continue-as-new.
   */
  seenDeliveries: string[];
  agentSessionId?: string;
  agentSessionUsage?: AgentUsage;
  past: TargetStatus['past'];
  totals: TargetStatus['totals'];
  closing?: { reason: string };
  lastActivityAt?: string;
  /** `owner/repo` chosen by an `in owner/repo` request, which later requests on the thread keep. */
  repo?: string;
  /** The worker holding the thread's workspace and agent session (see AgentWorkerRef). */
  agentWorker?: AgentWorkerRef;
}

/** Input of the long-lived workflow of one thread. */
export interface TargetWorkflowInput {
  thread?: ThreadRef;
  /** @deprecated the pre-thread GitHub shape, in runs started before threads existed. */
  target?: TargetRef;
  state?: TargetCarriedState;
}

/** What the frozen pre-thread conversation workflow was started with. */
export interface LegacyTargetWorkflowInput {
  target: TargetRef;
  state?: TargetCarriedState;
}

/** Kept so a busy thread cannot grow the workflow state without bound. */
export const MAX_SEEN_DELIVERIES = 500;
export const MAX_PAST_TASKS = 50;
