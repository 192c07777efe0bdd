import Router from '@koa/router';
import { routeSentryEvent, type SentryRoutingPolicy } from '../../integrations/sentry/route-event';
import { verifySentrySignature } from '../../integrations/sentry/webhook-signature';
import { actOnEvent } from '../act-on-event';
import type { Dispatcher } from '../dispatcher';
import { readRawBody } from '../raw-body';

export interface SentryWebhookOptions {
  /** The integration's client secret (two during a rotation); empty means every delivery is refused. */
  secrets: readonly string[];
  /** `undefined` when Sentry is not configured: every delivery is refused. */
  policy: SentryRoutingPolicy | undefined;
  dispatcher: Dispatcher;
  log?: (message: string, meta: Record<string, unknown>) => void;
}

/**
 * `POST /webhooks/sentry` for an integration's webhooks (https://docs.sentry.io/organization/integrations/integration-platform/webhooks/):
 * raw body → `Sentry-Hook-Signature` (constant time, 401 otherwise) → `Sentry-Hook-Resource` and `Request-ID` → JSON →
 * only the fields we read → Temporal → reply. Sentry waits 1 s for the answer: nothing here calls Sentry, the one
 * round trip is Temporal's (the stack trace is read later, by the worker). A repeated `Request-ID` or resource is
 * dropped by its conversation.
 */
export function createSentryWebhookRouter(options: SentryWebhookOptions): Router {
  const router = new Router();
  router.post('/webhooks/sentry', async (ctx) => {
    const rawBody = await readRawBody(ctx);
    const policy = options.policy;
    if (policy === undefined || !verifySentrySignature(options.secrets, rawBody, ctx.get('Sentry-Hook-Signature') || undefined)) return ctx.throw(401);
    const resource = ctx.get('Sentry-Hook-Resource');
    const deliveryId = ctx.get('Request-ID');
    const missing = [resource ? undefined : 'Sentry-Hook-Resource', deliveryId ? undefined : 'Request-ID'].filter(Boolean);
    if (missing.length > 0) ctx.throw(400, `missing header${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
    if (!ctx.is('application/json')) ctx.throw(415, 'expected Content-Type: application/json');

    let payload: unknown;
    try {
      payload = JSON.parse(rawBody.toString('utf8'));
    } catch (error) {
      ctx.throw(400, `malformed JSON: ${(error as Error).message}`);
    }

    const routed = routeSentryEvent(resource, deliveryId, payload, policy);
    // Logged once the answer is out: a slow log write must not delay the ack.
    ctx.res.once('close', () => {
      options.log?.('sentry delivery', { resource, deliveryId, outcome: routed.kind, status: ctx.status, answered: ctx.res.writableFinished });
    });
    if (routed.kind === 'invalid') return ctx.throw(400, routed.message);
    const outcome = await actOnEvent(routed, options.dispatcher);
    switch (outcome.kind) {
      case 'ping':
        ctx.body = { ok: true };
        return;
      case 'ignored':
        ctx.body = { ignored: outcome.reason };
        return;
      case 'accepted':
        ctx.status = 202;
        ctx.body = { task_id: outcome.taskId, workflow_id: outcome.workflowId };
        return;
      case 'closing':
        ctx.status = 202;
        ctx.body = { closing: true };
        return;
      case 'delivered':
        ctx.status = 202;
        ctx.body = { workflow_id: outcome.workflowId };
        return;
    }
  });
  return router;
}
