import { isTooLargeForTemporal, isTransientTemporalError, TemporalUnavailableError } from './temporal-retry';
import type { Context, Middleware } from 'koa';

/** Where the gateway's unexpected errors go besides the log (Sentry, when configured). */
export type GatewayErrorReport = (error: unknown, ctx: Context) => void;

/**
 * First middleware: client errors (`ctx.throw(4xx, msg)`) answer with their message as JSON; anything
 * else is a 500 with no detail, logged once through `app.on('error')` and handed to `report`.
 */
export function errorHandler(report?: GatewayErrorReport): Middleware {
  return async (ctx, next) => {
    try {
      await next();
    } catch (error) {
      const status = httpStatusOf(error) ?? temporalStatusOf(error);
      if (status !== undefined && status < 500) {
        ctx.status = status;
        ctx.body = status === 401 ? { error: 'unauthorized' } : { error: (error as Error).message };
        return;
      }
      ctx.status = status ?? 500;
      if (ctx.status === 503 && (error instanceof TemporalUnavailableError || isTransientTemporalError(error))) {
        // The sender may try again (Slack and Jira do; GitHub's "Redeliver" button, an API client).
        ctx.set('Retry-After', '10');
        ctx.body = { error: 'Temporal is unavailable; nothing was recorded, try again' };
      } else {
        ctx.body = { error: ctx.status === 503 ? 'service unavailable' : 'internal error' };
      }
      ctx.app.emit('error', error, ctx);
      report?.(error, ctx);
    }
  };
}

/** 503 while Temporal is away, 413 when it refused the request for its size; undefined otherwise. */
function temporalStatusOf(error: unknown): number | undefined {
  if (isTooLargeForTemporal(error)) return 413;
  if (isTransientTemporalError(error)) return 503;
  return undefined;
}

function httpStatusOf(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
  const value = typeof status === 'number' ? status : typeof statusCode === 'number' ? statusCode : undefined;
  return value !== undefined && value >= 400 && value < 600 ? value : undefined;
}
