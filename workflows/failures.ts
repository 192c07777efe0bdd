import { ApplicationFailure, TemporalFailure } from '@temporalio/workflow';

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
