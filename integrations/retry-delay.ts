/** Headers as the HTTP clients hand them over: a plain record or a `Headers`. */
export type HeaderSource = Headers | Readonly<Record<string, unknown>> | undefined;

function header(headers: HeaderSource, name: string): string | undefined {
  if (headers === undefined) return undefined;
  const value = headers instanceof Headers ? headers.get(name) : headers[name] ?? headers[name.toLowerCase()];
  const first: unknown = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' || typeof first === 'number' ? String(first) : undefined;
}

/**
 * How long a provider asks us to wait before the next request, in ms (at least 1 s), from `Retry-After`
 * (seconds or an HTTP date, RFC 9110 §10.2.3) or else from a reset header: Jira's `X-RateLimit-Reset`
 * (an ISO 8601 time, https://developer.atlassian.com/cloud/jira/platform/rate-limiting/) or Sentry's
 * `X-Sentry-Rate-Limit-Reset` (UTC epoch seconds, https://docs.sentry.io/api/ratelimits/).
 * `undefined` when no header names a wait: the caller's backoff decides.
 */
export function retryDelayMs(headers: HeaderSource, now = Date.now()): number | undefined {
  const retryAfter = header(headers, 'retry-after');
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    if (retryAfter.trim() !== '' && Number.isFinite(seconds) && seconds >= 0) return Math.max(1000, seconds * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(1000, date - now);
  }
  for (const name of ['x-ratelimit-reset', 'x-sentry-rate-limit-reset']) {
    const reset = header(headers, name);
    if (reset === undefined || reset.trim() === '') continue;
    const epochSeconds = Number(reset);
    const at = Number.isFinite(epochSeconds) ? epochSeconds * 1000 : Date.parse(reset);
    if (!Number.isNaN(at)) return Math.max(1000, at - now);
  }
  return undefined;
}
