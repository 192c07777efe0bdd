import { ApplicationFailure, CancelledFailure, TemporalFailure } from '@temporalio/workflow';
import type { TaskPresence } from '../contracts/presence';
import type { AgentUsage } from '../contracts/task';

/** The most specific message in a failure's cause chain: what a person needs to read. */
export function failureReason(error: unknown): string {
  let current: unknown = error;
  let message = error instanceof Error ? error.message : String(error);
  while (current instanceof TemporalFailure) {
    if (current instanceof ApplicationFailure || current.cause === undefined) message = current.message;
    current = current.cause;
  }
  return message;
}

/** The `ApplicationFailure.type` deepest in the chain, for branching across the sandbox. */
export function failureType(error: unknown): string | undefined {
  let current: unknown = error;
  let type: string | undefined;
  while (current instanceof TemporalFailure) {
    if (current instanceof ApplicationFailure && current.type) type = current.type;
    current = current.cause;
  }
  return type;
}

/** Usage the agent reported before it failed, carried as the first detail of an ApplicationFailure. */
export function failureUsage(error: unknown): AgentUsage {
  let current: unknown = error;
  while (current instanceof TemporalFailure) {
    if (current instanceof ApplicationFailure) {
      const [first] = current.details ?? [];
      if (typeof first === 'object' && first !== null && !Array.isArray(first)) return first;
    }
    current = current.cause;
  }
  return {};
}

/**
 * Where a failed or cancelled agent run left the task on its thread: the second detail of its
 * ApplicationFailure or CancelledFailure (see runAgent). Undefined when the run said nothing.
 */
export function failurePresence(error: unknown): TaskPresence | undefined {
  let current: unknown = error;
  while (current instanceof TemporalFailure) {
    if (current instanceof ApplicationFailure || current instanceof CancelledFailure) {
      const second: unknown = current.details?.[1];
      if (typeof second === 'object' && second !== null && !Array.isArray(second)) return second;
    }
    current = current.cause;
  }
  return undefined;
}
