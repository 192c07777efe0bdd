import { createHmac, timingSafeEqual } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../contracts/errors';
import type { TaskView } from '../../contracts/presence';

/** Header carrying `sha256=<hex HMAC-SHA256(AGENT_BOT_API_TOKEN, raw body)>`. */
export const CALLBACK_SIGNATURE_HEADER = 'X-Agent-Bot-Signature';
/** Header carrying the task id: a callback is delivered at least once, so receivers de-duplicate on it. */
export const CALLBACK_DELIVERY_HEADER = 'X-Agent-Bot-Delivery';
export const CALLBACK_EVENT_HEADER = 'X-Agent-Bot-Event';

const PREFIX = 'sha256=';

/** `sha256=<hex>` of the raw body under the API token, as in `X-Agent-Bot-Signature`. */
export function signCallback(token: string, rawBody: Buffer | string): string {
  return PREFIX + createHmac('sha256', token).update(rawBody).digest('hex');
}

/** What a receiver does: true when `signature` is the body's, compared in constant time. */
export function verifyCallbackSignature(token: string, rawBody: Buffer | string, signature: string | undefined): boolean {
  if (signature === undefined || !/^sha256=[0-9a-f]{64}$/i.test(signature)) return false;
  const expected = createHmac('sha256', token).update(rawBody).digest();
  return timingSafeEqual(expected, Buffer.from(signature.slice(PREFIX.length), 'hex'));
}

/** The JSON body of a callback: the task's final result, in the API's snake_case. */
export interface CallbackPayload {
  event: 'task.finished';
  task_id: string;
  /** The task's workflow (`api:<thread>/task/<task id>`), as `POST /api/tasks` answered it. */
  workflow_id: string;
  thread_id: string;
  request: string;
  requester: string;
  outcome: Extract<TaskView, { phase: 'final' }>['outcome'];
  /** The agent's answer on success; the reason otherwise. */
  answer: string;
  /** True when the answer was cut (the whole of it stays on the agent-bot server). */
  truncated: boolean;
  duration_ms: number;
  usage: { cost_usd: number | null; input_tokens: number | null; output_tokens: number | null; turns: number | null };
  decision: { decision: 'approve' | 'reject'; by: string; via: string } | null;
  note: string | null;
  /** The task's run in the Temporal UI. */
  run_url: string;
}

export interface DeliverOptions {
  /** Per attempt (ms); Temporal retries the activity after it. */
  timeoutMs: number;
  fetch?: typeof fetch;
  now?: () => number;
}

/**
 * POSTs a signed callback once. Temporal's retry policy of the calling activity does the retrying, so
 * each attempt shows in the UI with its reason.
 * @throws ApplicationFailure `ProviderUnavailable` (retryable) on a network error, a timeout, 408 or 5xx;
 *   `ProviderRateLimited` (retryable, after `Retry-After`) on 429; non-retryable `ProviderUnauthorized`
 *   (401), `ProviderForbidden` (403), `ProviderNotFound` (404, 410) or `ProviderRejected` (any other 4xx,
 *   and redirects, which are not followed: a redirected POST would arrive as a GET, or elsewhere).
 */
export async function deliverCallback(url: string, token: string, payload: CallbackPayload, options: DeliverOptions): Promise<void> {
  const body = JSON.stringify(payload);
  // Only the origin in messages: a callback URL may carry its own credentials in its path or query.
  const where = `the callback to ${safeOrigin(url)}`;
  let response: Response;
  try {
    response = await (options.fetch ?? fetch)(url, {
      method: 'POST',
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
      headers: {
        'content-type': 'application/json',
        'user-agent': 'agent-bot',
        [CALLBACK_EVENT_HEADER]: payload.event,
        [CALLBACK_DELIVERY_HEADER]: payload.task_id,
        [CALLBACK_SIGNATURE_HEADER]: signCallback(token, body),
      },
      body,
    });
  } catch (error) {
    const reason = error instanceof Error && error.name === 'TimeoutError' ? `no answer within ${options.timeoutMs} ms` : causeMessage(error);
    throw ApplicationFailure.retryable(`${where} failed: ${reason}`, ErrorType.ProviderUnavailable);
  }
  // The body is not read: nothing in it matters, and a large one must not hold the activity.
  await response.body?.cancel().catch(() => {});
  if (response.status >= 200 && response.status < 300) return;
  throw classifyCallbackStatus(response.status, response.headers.get('retry-after'), where, (options.now ?? Date.now)());
}

/** What Temporal should do after a callback answered `status` (see `deliverCallback`). */
export function classifyCallbackStatus(status: number, retryAfter: string | null, where: string, now: number): ApplicationFailure {
  const message = `${where} answered HTTP ${status}`;
  if (status === 429) {
    const delay = retryDelayMs(retryAfter, now);
    return ApplicationFailure.create({ message, type: ErrorType.ProviderRateLimited, ...(delay === undefined ? {} : { nextRetryDelay: delay }) });
  }
  if (status === 408 || status >= 500) return ApplicationFailure.retryable(message, ErrorType.ProviderUnavailable);
  const type =
    status === 401 ? ErrorType.ProviderUnauthorized
    : status === 403 ? ErrorType.ProviderForbidden
    : status === 404 || status === 410 ? ErrorType.ProviderNotFound
    : ErrorType.ProviderRejected;
  const hint = status >= 300 && status < 400 ? ' (redirects are not followed: give the final URL)' : '';
  return ApplicationFailure.nonRetryable(message + hint, type);
}

function retryDelayMs(retryAfter: string | null, now: number): number | undefined {
  if (retryAfter === null) return undefined;
  const seconds = Number(retryAfter);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.max(1_000, seconds * 1_000);
  const date = Date.parse(retryAfter);
  return Number.isNaN(date) ? undefined : Math.max(1_000, date - now);
}

function safeOrigin(url: string): string {
  try {
    return new URL(url).origin;
  } catch {
    return 'an invalid URL';
  }
}

/** fetch's `TypeError: fetch failed` hides the reason (ECONNREFUSED, ...) in its cause. */
function causeMessage(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause;
  if (cause instanceof Error) return `${error.message} (${(cause as NodeJS.ErrnoException).code ?? cause.message})`;
  return error.message;
}
