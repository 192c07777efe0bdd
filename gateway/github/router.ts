import Router from '@koa/router';
import { targetWorkflowId } from '../../contracts/target';
import { verifyGithubSignature } from '../../integrations/github/webhook-signature';
import type { Dispatcher } from '../dispatcher';
import { readRawBody } from '../raw-body';
import { routeGithubEvent, type RoutingPolicy } from './route-event';

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

    let payload: unknown;
    try {
      payload = JSON.parse(rawBody.toString('utf8'));
    } catch (error) {
      ctx.throw(400, `malformed JSON: ${(error as Error).message}`);
    }

    const action = routeGithubEvent(event, deliveryId, payload, options);
    // Logged once the answer is out: a log write to a busy terminal or pipe blocks, and must not delay the ack.
    ctx.res.once('close', () => {
      options.log?.('github delivery', { event, deliveryId, outcome: action.kind, status: ctx.status, answered: ctx.res.writableFinished });
    });
    switch (action.kind) {
      case 'ping':
        ctx.body = { ok: true, pong: true };
        return;
      case 'ignored':
        ctx.body = { ignored: action.reason };
        return;
      case 'invalid':
        ctx.throw(400, action.message);
        return;
      case 'close': {
        const signalled = await options.dispatcher.closeTarget(action.target, action.reason);
        ctx.status = signalled ? 202 : 200;
        ctx.body = signalled ? { closing: true } : { ignored: 'no running workflow for this target' };
        return;
      }
      case 'command': {
        if (action.signalOnly === true) {
          const delivered = await options.dispatcher.signalCommand(action.target, action.command);
          ctx.status = delivered ? 202 : 200;
          ctx.body = delivered ? { workflow_id: targetWorkflowId(action.target) } : { ignored: 'no running workflow for this target' };
          return;
        }
        const { workflowId } = await options.dispatcher.dispatchCommand(action.target, action.command);
        ctx.status = 202;
        ctx.body = { task_id: action.command.taskId, workflow_id: workflowId };
        return;
      }
      case 'decision': {
        const delivered = await options.dispatcher.decideTask(action.taskWorkflowId, action.decision);
        ctx.status = delivered ? 202 : 200;
        ctx.body = delivered ? { workflow_id: action.taskWorkflowId } : { ignored: 'the task is no longer running' };
        return;
      }
    }
  });
  return router;
}
