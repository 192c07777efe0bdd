import Router from '@koa/router';
import type { Context, Middleware } from 'koa';
import { NamespaceNotFoundError, WorkflowExecutionAlreadyStartedError, WorkflowNotFoundError } from '@temporalio/client';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { EventOutcome } from './act-on-event';
import type { Dispatcher } from './dispatcher';
import { grpcCodeOf } from './temporal-retry';

/**
 * What became of a webhook, as a bounded label: `accepted` (a new task recorded), `delivered` (a signal
 * to a running conversation or task: a follow-up, a decision, a cancel, a close), `ignored` (nothing to
 * do: pings, challenges, events not for agent-bot, answers given in place), `late` (answered by the
 * provider's deadline before Temporal confirmed), `invalid` (4xx), `unauthorized` (401), `error` (5xx, or
 * Temporal refused and the provider was told so).
 */
export type WebhookOutcome = 'accepted' | 'delivered' | 'ignored' | 'late' | 'invalid' | 'unauthorized' | 'error';

/** Ack latencies from 1 ms to 10 s: GitHub gives up at 10 s, Slack and Discord at 3 s. */
const ACK_BUCKETS_SECONDS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** gRPC status names by code, for the `code` label (a fixed set of 17). */
const GRPC_CODES = ['OK', 'CANCELLED', 'UNKNOWN', 'INVALID_ARGUMENT', 'DEADLINE_EXCEEDED', 'NOT_FOUND', 'ALREADY_EXISTS', 'PERMISSION_DENIED', 'RESOURCE_EXHAUSTED', 'FAILED_PRECONDITION', 'ABORTED', 'OUT_OF_RANGE', 'UNIMPLEMENTED', 'INTERNAL', 'UNAVAILABLE', 'DATA_LOSS', 'UNAUTHENTICATED'];

/**
 * The gateway's Prometheus metrics, in a registry of its own (a test process runs many gateways). Labels
 * are bounded: the provider comes from the route that matched (code-defined), never from the request;
 * no task, thread or delivery id is ever a label.
 */
export class GatewayMetrics {
  readonly registry = new Registry();
  /** `agent_bot_webhooks_total{provider,outcome}`. */
  readonly webhooks: Counter<'provider' | 'outcome'>;
  /** `agent_bot_webhook_ack_seconds{provider,outcome}`: request received → answer sent (seconds). */
  readonly ackSeconds: Histogram<'provider' | 'outcome'>;
  /** `agent_bot_gateway_temporal_errors_total{operation,code}`: calls Temporal failed, after the retries. */
  readonly temporalErrors: Counter<'operation' | 'code'>;

  /** @param options.processMetrics also the process's CPU, memory, event loop and GC (`process_*`, `nodejs_*`): for the entry point, not for the gateways of a test process. */
  constructor(options: { processMetrics?: boolean } = {}) {
    const registers = [this.registry];
    this.webhooks = new Counter({ name: 'agent_bot_webhooks_total', help: 'Webhook requests answered, by provider and outcome.', labelNames: ['provider', 'outcome'], registers });
    this.ackSeconds = new Histogram({ name: 'agent_bot_webhook_ack_seconds', help: 'Time from a webhook request to its answer, in seconds.', labelNames: ['provider', 'outcome'], buckets: ACK_BUCKETS_SECONDS, registers });
    this.temporalErrors = new Counter({ name: 'agent_bot_gateway_temporal_errors_total', help: 'Calls to Temporal that failed after their retries, by operation and gRPC status.', labelNames: ['operation', 'code'], registers });
    if (options.processMetrics === true) collectDefaultMetrics({ register: this.registry });
  }

  /** One failed Temporal call; `code` is the gRPC status name, or `other` for an error that carries none. */
  temporalError(operation: string, error: unknown): void {
    this.temporalErrors.inc({ operation, code: grpcCodeName(error) });
  }
}

/**
 * The gRPC status of a failed Temporal call: from the error's cause chain, or for the errors the client
 * turns into classes of its own (and drops the status of), the status the server answered them with.
 */
function grpcCodeName(error: unknown): string {
  if (error instanceof NamespaceNotFoundError || error instanceof WorkflowNotFoundError) return 'NOT_FOUND';
  if (error instanceof WorkflowExecutionAlreadyStartedError) return 'ALREADY_EXISTS';
  const code = grpcCodeOf(error);
  return code === undefined ? 'other' : (GRPC_CODES[code] ?? 'other');
}

/** `GET /metrics`: the registry in Prometheus' text format. */
export function createMetricsRouter(registry: Registry): Router {
  const router = new Router();
  router.get('/metrics', async (ctx) => {
    ctx.set('Content-Type', registry.contentType);
    ctx.body = await registry.metrics();
  });
  return router;
}

interface WebhookState {
  webhookOutcome?: WebhookOutcome;
}

/**
 * What the router did with a webhook it answered with a 2xx, for the metrics: the outcome of handing it
 * to Temporal (`accepted`, `delivered`, `ignored`), `late`, or `error` when the answer is a 2xx that says
 * Temporal refused (Discord, which never retries). 4xx and 5xx answers need no note.
 */
export function noteWebhookOutcome(ctx: Context, outcome: EventOutcome['kind'] | 'late' | 'error'): void {
  (ctx.state as WebhookState).webhookOutcome = outcome === 'closing' ? 'delivered' : outcome === 'ping' ? 'ignored' : outcome;
}

/**
 * Counts every answered request to a provider's webhook route (`/webhooks/<provider>...`) and observes its
 * ack latency, once the answer is out (a cut connection too). Mounted first, so the status it reads is the
 * one the error handler answered. Requests that matched no route (a 404 for any path) are not counted:
 * their path is the sender's choice, and would make the provider label unbounded.
 */
export function webhookMetrics(metrics: GatewayMetrics): Middleware {
  return async (ctx, next) => {
    if (!ctx.path.startsWith('/webhooks/')) {
      await next();
      return;
    }
    const started = process.hrtime.bigint();
    ctx.res.once('close', () => {
      const provider = providerOf(ctx);
      if (provider === undefined) return;
      const labels = { provider, outcome: outcomeOf(ctx) };
      metrics.webhooks.inc(labels);
      metrics.ackSeconds.observe(labels, Number(process.hrtime.bigint() - started) / 1e9);
    });
    await next();
  };
}

/** `github` from the matched route `/webhooks/github`, `slack` from `/webhooks/slack/events`. */
function providerOf(ctx: Context): string | undefined {
  const matched = (ctx as { _matchedRoute?: unknown })._matchedRoute;
  if (typeof matched !== 'string') return undefined;
  return /^\/webhooks\/([a-z][a-z0-9-]*)/.exec(matched)?.[1];
}

function outcomeOf(ctx: Context): WebhookOutcome {
  const status = ctx.status;
  if (status >= 500) return 'error';
  if (status === 401) return 'unauthorized';
  if (status >= 400) return 'invalid';
  return (ctx.state as WebhookState).webhookOutcome ?? 'ignored';
}

/**
 * The dispatcher, with each call Temporal fails counted in `agent_bot_gateway_temporal_errors_total` by
 * operation and gRPC status (a restart: `UNAVAILABLE`; a namespace missing: `NOT_FOUND`; ...). The error
 * itself is rethrown untouched.
 */
export function instrumentDispatcher(dispatcher: Dispatcher, metrics: GatewayMetrics): Dispatcher {
  const counted = <A extends unknown[], R>(operation: string, call: (...args: A) => Promise<R>) =>
    async (...args: A): Promise<R> => {
      try {
        return await call(...args);
      } catch (error) {
        metrics.temporalError(operation, error);
        throw error;
      }
    };
  return {
    dispatchCommand: counted('dispatch_command', dispatcher.dispatchCommand.bind(dispatcher)),
    closeThread: counted('close_thread', dispatcher.closeThread.bind(dispatcher)),
    signalCommand: counted('signal_command', dispatcher.signalCommand.bind(dispatcher)),
    decideTask: counted('decide_task', dispatcher.decideTask.bind(dispatcher)),
    cancelTask: counted('cancel_task', dispatcher.cancelTask.bind(dispatcher)),
  };
}
