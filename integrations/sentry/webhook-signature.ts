import { createHmac, timingSafeEqual } from 'node:crypto';

/**
 * The hex HMAC-SHA256 of the raw body with the integration's client secret, no prefix: what Sentry sends in
 * `Sentry-Hook-Signature` (https://docs.sentry.io/organization/integrations/integration-platform/webhooks/#verifying-the-signature).
 */
export function signSentryPayload(clientSecret: string, rawBody: Buffer | string): string {
  return createHmac('sha256', clientSecret).update(rawBody).digest('hex');
}

/**
 * True when `signature` matches the raw body under any of the client secrets (two during a rotation). Works
 * on the bytes before any parsing and compares in constant time; every secret is tried, so the time taken
 * does not tell which one matched. No secret: always false.
 */
export function verifySentrySignature(secrets: readonly string[], rawBody: Buffer, signature: string | undefined): boolean {
  if (signature === undefined || !/^[0-9a-f]{64}$/i.test(signature.trim())) return false;
  const received = Buffer.from(signature.trim(), 'hex');
  let matched = false;
  for (const secret of secrets) {
    const expected = createHmac('sha256', secret).update(rawBody).digest();
    if (timingSafeEqual(expected, received)) matched = true;
  }
  return matched;
}
