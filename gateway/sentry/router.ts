import Router from '@koa/router';
import { routeSentryEvent, type SentryRoutingPolicy } from '../../integrations/sentry/route-event';
import { verifySentrySignature } from '../../integrations/sentry/webhook-signature';
import { actOnEvent, type EventOutcome, webhookAnswer } from '../act-on-event';
import type { Dispatcher } from '../dispatcher';
import { noteWebhookOutcome } from '../metrics';
import { parseJsonBody, readRawBody } from '../raw-body';

/** Sentry waits 1 s for an answer; this leaves room for the network. */
const SENTRY_ACK_MS = 800;

export interface SentryWebhookOptions {
  /** The integration's client secret (two during a rotation); empty means every delivery is refused. */
  secrets: readonly string[];
  /** `undefined` when Sentry is not configured: every delivery is refused. */
  policy: SentryRoutingPolicy | undefined;
  dispatcher: Dispatcher;
  log?: (message: string, meta: Record<string, unknown>) => void;
  /** How long Temporal may take to record a command before the answer goes anyway (ms); tests shorten it. */
  ackWithinMs?: number;
}

/**
 * `POST /webhooks/sentry` for an integration's webhooks (https://docs.sentry.io/organization/integrations/integration-platform/webhooks/):
 * raw body → `Sentry-Hook-Signature` (constant time, 401 otherwise) → `Sentry-Hook-Resource` and `Request-ID` → JSON →
 * only the fields we read → Temporal → reply. Sentry waits 1 s for the answer: nothing here calls Sentry, the one
 * round trip is Temporal's (the stack trace is read later, by the worker), and when Temporal is slow (a restart)
 * the answer goes out after 800 ms while the command is still being recorded, as the Slack router does. A
 * repeated `Request-ID` or resource is dropped by its conversation.
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

    const payload = parseJsonBody(ctx, rawBody);

    const routed = routeSentryEvent(resource, deliveryId, payload, policy);
    // Logged once the answer is out: a slow log write must not delay the ack.
    ctx.res.once('close', () => {
      options.log?.('sentry delivery', { resource, deliveryId, outcome: routed.kind, status: ctx.status, answered: ctx.res.writableFinished });
    });
    if (routed.kind === 'invalid') return ctx.throw(400, routed.message);
    const outcome = await withinAck(actOnEvent(routed, options.dispatcher), options.ackWithinMs ?? SENTRY_ACK_MS, (late) => {
      options.log?.('sentry: Temporal is slow; answered Sentry and still recording', { resource, deliveryId, ...late });
    });
    noteWebhookOutcome(ctx, outcome === 'late' ? 'late' : outcome.kind);
    if (outcome === 'late') {
      ctx.status = 202;
      ctx.body = { recording: true };
      return;
    }
    const answer = webhookAnswer(outcome);
    ctx.status = answer.status;
    ctx.body = answer.body;
  });
  return router;
}

/** `pending`'s outcome, or `'late'` once `ms` have passed (then `onLate` learns how `pending` ends). */
async function withinAck(pending: Promise<EventOutcome>, ms: number, onLate: (meta: Record<string, unknown>) => void): Promise<EventOutcome | 'late'> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<'late'>((resolve) => {
    timer = setTimeout(() => resolve('late'), ms);
  });
  try {
    const outcome = await Promise.race([pending, late]);
    if (outcome === 'late') {
      onLate({});
      pending.catch((error: unknown) => onLate({ failed: error instanceof Error ? error.message : String(error) }));
    }
    return outcome;
  } finally {
    clearTimeout(timer);
  }
}
