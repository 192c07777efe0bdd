import type { TargetStatus } from './status';
import type { TargetRef } from './target';
import type { AgentUsage, Command } from './task';

/** State a target workflow carries across continue-as-new. */
export interface TargetCarriedState {
  queue: Command[];
  /** `@agent in <duration> ...`: each waits on its own durable timer. */
  deferred?: Command[];
  /** Bounded, oldest first: signals are not de-duplicated by Temporal, so the workflow does it. */
  seenDeliveries: string[];
  agentSessionId?: string;
  agentSessionUsage?: AgentUsage;
  past: TargetStatus['past'];
  totals: TargetStatus['totals'];
  closing?: { reason: string };
  lastActivityAt?: string;
}

/** Input of the long-lived workflow of one PR or issue. */
export interface TargetWorkflowInput {
  target: TargetRef;
  state?: TargetCarriedState;
}

/** Kept so a busy thread cannot grow the workflow state without bound. */
export const MAX_SEEN_DELIVERIES = 500;
export const MAX_PAST_TASKS = 50;
