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
  return code !== undefined && TRANSIENT_CODES.has(code) && !isTooLargeForTemporal(error);
}

/**
 * True when Temporal refused a request for its size: gRPC's message limit (RESOURCE_EXHAUSTED, "larger
 * than max", 4 MB by default) or the server's blob size limit (INVALID_ARGUMENT, "size exceeds limit",
 * 2 MB by default). Sending it again cannot help.
 */
export function isTooLargeForTemporal(error: unknown): boolean {
  const code = grpcCodeOf(error);
  if (code !== 8 && code !== 3) return false;
  return /larger than max|exceeds? (the )?(size )?limit|size exceeds/i.test(messageChain(error));
}

function messageChain(error: unknown): string {
  const messages: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 5 && current instanceof Error; depth++) {
    messages.push(current.message, (current as { details?: unknown }).details === undefined ? '' : String((current as { details?: unknown }).details));
    current = current.cause;
  }
  return messages.join('\n');
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

/** Runs `fn` with a gRPC deadline (epoch ms) on every call it makes: `Client.withDeadline`. */
export type WithDeadline = <T>(deadline: number, fn: () => Promise<T>) => Promise<T>;

/** Temporal did not answer within the time the caller's sender waits; HTTP 503 (the sender may try again). */
export class TemporalUnavailableError extends Error {
  override name = 'TemporalUnavailableError';
  readonly status = 503;
  constructor(withinMs: number, cause: unknown) {
    super(`Temporal did not answer within ${withinMs} ms`, { cause });
  }
}

/**
 * Runs `call`, retrying while Temporal is briefly away (a server restart takes seconds) for at most
 * `withinMs` in all, so a webhook that arrives during a restart is still recorded before it is answered
 * (GitHub waits 10 s for an answer and never redelivers by itself). With `withDeadline`, every attempt
 * carries the deadline; whatever the client's own gRPC retries do (ten attempts with back-off by
 * default, whose last sleep can overrun any deadline), the answer comes at `withinMs`: a call still in
 * flight then may yet be recorded, which the message identities make harmless.
 * @throws TemporalUnavailableError when Temporal is still away at the deadline; any other error at once.
 */
export async function withTemporalRetries<T>(
  call: () => Promise<T>,
  withinMs: number,
  sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms)),
  withDeadline?: WithDeadline,
): Promise<T> {
  const deadline = Date.now() + withinMs;
  let lastError: unknown;
  let timer: NodeJS.Timeout | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new TemporalUnavailableError(withinMs, lastError)), withinMs);
  });
  const attempts = (async (): Promise<T> => {
    for (let delay = 100; ; delay = Math.min(delay * 2, 1_000)) {
      try {
        return await (withDeadline === undefined ? call() : withDeadline(deadline, call));
      } catch (error) {
        lastError = error;
        if (!isTransientTemporalError(error)) throw error;
        if (Date.now() + delay > deadline) throw new TemporalUnavailableError(withinMs, error);
        await sleep(delay);
      }
    }
  })();
  try {
    return await Promise.race([attempts, timedOut]);
  } finally {
    clearTimeout(timer);
    attempts.catch(() => {}); // settled after the answer: nothing left to tell anyone
  }
}
