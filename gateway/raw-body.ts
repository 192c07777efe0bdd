import type { Context } from 'koa';
import getRawBody from 'raw-body';

/** GitHub never sends more than 25 MB; anything larger is refused before it is read. */
export const MAX_WEBHOOK_BYTES = 25 * 1024 * 1024;

/** The body as bytes: signatures are computed over exactly these, before any parsing. */
export async function readRawBody(ctx: Context, limit = MAX_WEBHOOK_BYTES): Promise<Buffer> {
  try {
    return await getRawBody(ctx.req, { limit, length: ctx.request.headers['content-length'] });
  } catch (error) {
    const type = (error as { type?: string }).type;
    if (type === 'entity.too.large') ctx.throw(413, `body larger than ${limit} bytes`);
    if (type === 'request.size.invalid') ctx.throw(400, 'body length does not match Content-Length');
    throw error;
  }
}

/**
 * The raw body parsed as JSON, after its signature was checked over the bytes.
 * @throws HTTP 400 `malformed JSON: <parser's message>` when it is not JSON.
 */
export function parseJsonBody(ctx: Context, rawBody: Buffer): unknown {
  try {
    return JSON.parse(rawBody.toString('utf8')) as unknown;
  } catch (error) {
    return ctx.throw(400, `malformed JSON: ${(error as Error).message}`);
  }
}
