import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack refuses requests whose timestamp is further than this from now; so do we (replays). */
export const SLACK_MAX_SKEW_MS = 5 * 60_000;

/**
 * `v0=<hex HMAC-SHA256(secret, "v0:<timestamp>:<raw body>")>`, as Slack signs every request
 * (https://docs.slack.dev/authentication/verifying-requests-from-slack).
 */
export function signSlackRequest(secret: string, timestamp: string | number, rawBody: Buffer | string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:`).update(rawBody).digest('hex')}`;
}

/**
 * True when `signature` is Slack's over the raw body under any of the secrets (two during a rotation) and
 * `timestamp` (seconds) is within five minutes of `nowMs`. Constant time; every secret is tried.
 */
export function verifySlackRequest(
  secrets: readonly string[],
  rawBody: Buffer,
  timestamp: string | undefined,
  signature: string | undefined,
  nowMs: number = Date.now(),
): boolean {
  if (timestamp === undefined || !/^\d{1,12}$/.test(timestamp)) return false;
  if (Math.abs(nowMs - Number(timestamp) * 1000) > SLACK_MAX_SKEW_MS) return false;
  if (signature === undefined || !/^v0=[0-9a-f]{64}$/i.test(signature)) return false;
  const received = Buffer.from(signature.slice(3), 'hex');
  let matched = false;
  for (const secret of secrets) {
    const expected = Buffer.from(signSlackRequest(secret, timestamp, rawBody).slice(3), 'hex');
    if (timingSafeEqual(expected, received)) matched = true;
  }
  return matched;
}
