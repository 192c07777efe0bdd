import { createPublicKey, verify, type KeyObject } from 'node:crypto';

/**
 * The application's public key (the 64 hex digits the developer portal shows) as a Node KeyObject, once at
 * start: an Ed25519 key in JWK form (RFC 8037), so Node's crypto does all the curve work.
 * @throws Error when the hex is not 32 bytes or not a valid Ed25519 point.
 */
export function discordPublicKey(hex: string): KeyObject {
  if (!/^[0-9a-f]{64}$/i.test(hex)) throw new Error('DISCORD_PUBLIC_KEY: expected 64 hex digits');
  return createPublicKey({ key: { kty: 'OKP', crv: 'Ed25519', x: Buffer.from(hex, 'hex').toString('base64url') }, format: 'jwk' });
}

/** True when `signatureHex` is a valid Ed25519 signature of `message` under `key` (RFC 8032, by Node's crypto). */
export function verifyEd25519(key: KeyObject, message: Buffer, signatureHex: string): boolean {
  if (!/^[0-9a-f]{128}$/i.test(signatureHex)) return false;
  try {
    return verify(null, message, key, Buffer.from(signatureHex, 'hex'));
  } catch {
    // A malformed signature (e.g. an out-of-range scalar) is a bad signature, not a server error.
    return false;
  }
}

/**
 * Discord signs every interaction it POSTs: `X-Signature-Ed25519` is the hex Ed25519 signature of
 * `X-Signature-Timestamp` followed by the raw body, under the application's public key
 * (https://docs.discord.com/developers/interactions/overview#setting-up-an-endpoint-validating-security-request-headers).
 * Discord sends requests with bad signatures on purpose and expects 401 for each: anything missing or
 * malformed is simply false.
 */
export function verifyDiscordRequest(key: KeyObject | undefined, rawBody: Buffer, timestamp: string | undefined, signature: string | undefined): boolean {
  if (key === undefined || timestamp === undefined || timestamp === '' || timestamp.length > 32 || signature === undefined) return false;
  return verifyEd25519(key, Buffer.concat([Buffer.from(timestamp, 'utf8'), rawBody]), signature);
}
