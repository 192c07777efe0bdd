import { createHash, timingSafeEqual } from 'node:crypto';
import type { Middleware } from 'koa';

/**
 * `Authorization: Bearer <AGENT_BOT_API_TOKEN>` on every API route; anything else is an opaque 401.
 * Without a configured token the API refuses everyone.
 */
export function bearerAuth(token: string | undefined): Middleware {
  const expected = token === undefined ? undefined : digest(token);
  return async (ctx, next) => {
    const header = ctx.get('Authorization');
    const given = /^Bearer (.+)$/i.exec(header)?.[1];
    // Compare digests: equal length whatever was sent, and constant time.
    if (expected === undefined || given === undefined || !timingSafeEqual(digest(given), expected)) {
      ctx.set('WWW-Authenticate', 'Bearer');
      ctx.throw(401);
    }
    await next();
  };
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}
