import { isGrpcServiceError, ServiceError } from '@temporalio/client';

/** gRPC codes that mean "Temporal is not there right now" (restarting, unreachable), not "no". */
const TRANSIENT_CODES = new Set([
  14, // UNAVAILABLE
  4, // DEADLINE_EXCEEDED
  8, // RESOURCE_EXHAUSTED
]);

/** True for an error a retry a moment later may not get: Temporal restarting or briefly unreachable. */
export function isTransientTemporalError(error: unknown): boolean {
  const code = grpcCodeOf(error);
  return code !== undefined && TRANSIENT_CODES.has(code);
}

/** The gRPC status code Temporal answered with, found in the error's cause chain; undefined when none is. */
export function grpcCodeOf(error: unknown): number | undefined {
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current !== undefined && current !== null; depth++) {
    if (isGrpcServiceError(current)) return current.code;
    current = current instanceof ServiceError || current instanceof Error ? current.cause : undefined;
  }
  return undefined;
}

/**
 * Runs `call`, retrying while Temporal is briefly away (a server restart takes seconds) for at most
 * `withinMs` in all, so a webhook that arrives during a restart is still recorded before it is answered
 * (GitHub waits 10 s for an answer and never redelivers by itself).
 * @throws the last error when Temporal is still away at the deadline, or at once for any other error.
 */
export async function withTemporalRetries<T>(call: () => Promise<T>, withinMs: number, sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))): Promise<T> {
  const deadline = Date.now() + withinMs;
  for (let delay = 100; ; delay = Math.min(delay * 2, 1_000)) {
    try {
      return await call();
    } catch (error) {
      if (!isTransientTemporalError(error) || Date.now() + delay > deadline) throw error;
      await sleep(delay);
    }
  }
}
