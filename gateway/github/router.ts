import Router from '@koa/router';
import { routeGithubEvent, type RoutingPolicy } from '../../integrations/github/route-event';
import { verifyGithubSignature } from '../../integrations/github/webhook-signature';
import { actOnEvent, webhookAnswer } from '../act-on-event';
import type { Dispatcher } from '../dispatcher';
import { noteWebhookOutcome } from '../metrics';
import { parseJsonBody, readRawBody } from '../raw-body';

export interface GithubWebhookOptions extends RoutingPolicy {
  /** Several during a rotation; empty means every delivery is refused. */
  secrets: readonly string[];
  dispatcher: Dispatcher;
  log?: (message: string, meta: Record<string, unknown>) => void;
}

/**
 * `POST /webhooks/github`: raw body → signature (constant time) → headers → content type → JSON →
 * only the fields we read → Temporal → reply. The 202 goes out only after Temporal recorded the command.
 */
export function createGithubWebhookRouter(options: GithubWebhookOptions): Router {
  const router = new Router();
  router.post('/webhooks/github', async (ctx) => {
    const rawBody = await readRawBody(ctx);
    if (!verifyGithubSignature(options.secrets, rawBody, ctx.get('X-Hub-Signature-256') || undefined)) {
      ctx.throw(401);
    }
    const event = ctx.get('X-GitHub-Event');
    const deliveryId = ctx.get('X-GitHub-Delivery');
    const missing = [event ? undefined : 'X-GitHub-Event', deliveryId ? undefined : 'X-GitHub-Delivery'].filter(Boolean);
    if (missing.length > 0) ctx.throw(400, `missing header${missing.length > 1 ? 's' : ''}: ${missing.join(', ')}`);
    if (!ctx.is('application/json')) ctx.throw(415, 'expected Content-Type: application/json (set the webhook content type to JSON)');

    const payload = parseJsonBody(ctx, rawBody);

    const routed = routeGithubEvent(event, deliveryId, payload, options);
    // Logged once the answer is out: a log write to a busy terminal or pipe blocks, and must not delay the ack.
    ctx.res.once('close', () => {
      options.log?.('github delivery', { event, deliveryId, outcome: routed.kind, status: ctx.status, answered: ctx.res.writableFinished });
    });
    if (routed.kind === 'invalid') return ctx.throw(400, routed.message);
    const outcome = await actOnEvent(routed, options.dispatcher);
    noteWebhookOutcome(ctx, outcome.kind);
    const answer = webhookAnswer(outcome, { ok: true, pong: true });
    ctx.status = answer.status;
    ctx.body = answer.body;
  });
  return router;
}
