import { createHmac, timingSafeEqual } from 'node:crypto';

const PREFIX = 'sha256=';

/**
 * `sha256=<hex>` of the raw body, as Jira Cloud sends it in `X-Hub-Signature` for an admin webhook registered
 * with a secret (https://developer.atlassian.com/cloud/jira/platform/webhooks/#secure-admin-webhooks).
 */
export function signJiraPayload(secret: string, rawBody: Buffer | string): string {
  return PREFIX + createHmac('sha256', secret).update(rawBody).digest('hex');
}

/**
 * True when `signature` (the `X-Hub-Signature` header) matches the raw body under any of the secrets
 * (two during a rotation). Works on the bytes before any parsing and compares in constant time; every
 * secret is tried, so the time taken does not tell which one matched. No secret: always false.
 */
export function verifyJiraSignature(secrets: readonly string[], rawBody: Buffer, signature: string | undefined): boolean {
  if (signature === undefined || !/^sha256=[0-9a-f]{64}$/i.test(signature.trim())) return false;
  const received = Buffer.from(signature.trim().slice(PREFIX.length), 'hex');
  let matched = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(rawBody).digest();
    if (timingSafeEqual(expected, received)) matched = true;
  }
  return matched;
}
