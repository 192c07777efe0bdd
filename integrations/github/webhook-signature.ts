import { createHmac, timingSafeEqual } from 'node:crypto';

const PREFIX = 'sha256=';

/** `sha256=<hex>` of the raw body, as GitHub sends it in `X-Hub-Signature-256`. */
export function signGithubPayload(secret: string, rawBody: Buffer | string): string {
  return PREFIX + createHmac('sha256', secret).update(rawBody).digest('hex');
}

/**
 * True when `signature` matches the raw body under any of the secrets (several during a rotation).
 * Works on the raw bytes, before any parsing, and compares in constant time. Every secret is tried so
 * the time taken does not tell which one matched.
 */
export function verifyGithubSignature(
  secrets: readonly string[],
  rawBody: Buffer,
  signature: string | undefined,
): boolean {
  if (signature === undefined || !/^sha256=[0-9a-f]{64}$/i.test(signature)) return false;
  const received = Buffer.from(signature.slice(PREFIX.length), 'hex');
  let matched = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(rawBody).digest();
    if (timingSafeEqual(expected, received)) matched = true;
  }
  return matched;
}
