import Router from '@koa/router';
import { routeJiraEvent, type JiraRoutingPolicy } from '../../integrations/jira/route-event';
import { verifyJiraSignature } from '../../integrations/jira/webhook-signature';
import { actOnEvent, webhookAnswer } from '../act-on-event';
import type { Dispatcher } from '../dispatcher';
import { noteWebhookOutcome } from '../metrics';
import { parseJsonBody, readRawBody } from '../raw-body';

export interface JiraWebhookOptions {
  /** Several during a rotation; empty means every delivery is refused. */
  secrets: readonly string[];
  /** `undefined` when Jira is not configured: every delivery is refused. */
  policy: JiraRoutingPolicy | undefined;
  dispatcher: Dispatcher;
  log?: (message: string, meta: Record<string, unknown>) => void;
}

/**
 * `POST /webhooks/jira` for Jira Cloud admin webhooks (https://developer.atlassian.com/cloud/jira/platform/webhooks/):
 * raw body → `X-Hub-Signature` (constant time, 401 otherwise) → `X-Atlassian-Webhook-Identifier` (the delivery id,
 * the same on Jira's retries) → JSON → only the fields we read → Temporal → reply. The 202 goes out only after
 * Temporal recorded the command; a retried delivery is dropped by its conversation.
 */
export function createJiraWebhookRouter(options: JiraWebhookOptions): Router {
  const router = new Router();
  router.post('/webhooks/jira', async (ctx) => {
    const rawBody = await readRawBody(ctx);
    const policy = options.policy;
    if (policy === undefined || !verifyJiraSignature(options.secrets, rawBody, ctx.get('X-Hub-Signature') || undefined)) return ctx.throw(401);
    const deliveryId = ctx.get('X-Atlassian-Webhook-Identifier');
    if (!deliveryId) ctx.throw(400, 'missing header: X-Atlassian-Webhook-Identifier');
    if (!ctx.is('application/json')) ctx.throw(415, 'expected Content-Type: application/json');

    const payload = parseJsonBody(ctx, rawBody);

    const routed = routeJiraEvent(deliveryId, payload, policy);
    const retry = ctx.get('X-Atlassian-Webhook-Retry') || undefined;
    // Logged once the answer is out: a slow log write must not delay the ack.
    ctx.res.once('close', () => {
      options.log?.('jira delivery', { deliveryId, retry, outcome: routed.kind, status: ctx.status, answered: ctx.res.writableFinished });
    });
    if (routed.kind === 'invalid') return ctx.throw(400, routed.message);
    const outcome = await actOnEvent(routed, options.dispatcher);
    noteWebhookOutcome(ctx, outcome.kind);
    const answer = webhookAnswer(outcome);
    ctx.status = answer.status;
    ctx.body = answer.body;
  });
  return router;
}
