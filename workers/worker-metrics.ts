import { Context as ActivityContext } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import type { ActivityExecuteInput, ActivityInboundCallsInterceptor, ActivityInterceptorsFactory, Next } from '@temporalio/worker';
import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import { AgentSlots } from '../activities/agent/agent-slots';
import { ErrorType, NON_RETRYABLE_PROVIDER_ERRORS } from '../contracts/errors';
import type { AgentUsage, TaskOutcome } from '../contracts/task';
import { Transports, type ThreadTransport } from '../integrations/transport';
import type { WriteBudgetHooks } from '../integrations/write-budget';
import { activityTags } from './error-reporting';

/** Agent runs last seconds to hours (AGENT_TIMEOUT is 30 min by default). */
const RUN_BUCKETS_SECONDS = [1, 5, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200];
/** A task waits for an agent slot from nothing to as long as the runs ahead of it. */
const QUEUE_BUCKETS_SECONDS = [0.1, 0.5, 1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600];
/** An urgent write waits at most 30 s here (then Temporal retries it later). */
const WRITE_WAIT_BUCKETS_SECONDS = [0.1, 0.5, 1, 2, 5, 10, 20, 30];

/** What a call to a provider came to, as a bounded label. */
export type ProviderCallResult = 'ok' | 'skipped' | 'rate_limited' | 'refused' | 'unavailable' | 'error';

/**
 * A worker process's Prometheus metrics, in a registry of its own. Labels are bounded: `provider` is one of
 * the worker's transports (anything else reads `other`), `agent` is AGENT_KIND, `outcome`, `call`, `result`
 * and `direction` are fixed sets. No task, thread, workflow or channel id is ever a label.
 */
export class WorkerMetrics {
  readonly registry = new Registry();
  /** `agent_bot_tasks_total{provider,outcome}`: tasks whose final message is on their thread. */
  readonly tasks: Counter<'provider' | 'outcome'>;
  /** `agent_bot_agent_run_seconds{provider,agent,outcome}`: one agent run (an activity attempt), in seconds. */
  readonly agentRunSeconds: Histogram<'provider' | 'agent' | 'outcome'>;
  /** `agent_bot_agent_queue_wait_seconds{provider,agent}`: run scheduled → an agent slot on a worker, in seconds. */
  readonly agentQueueWaitSeconds: Histogram<'provider' | 'agent'>;
  /** `agent_bot_agent_cost_usd_total{provider,agent}`: what the agents reported (or AGENT_PRICE_PER_MTOK priced), in USD. */
  readonly agentCostUsd: Counter<'provider' | 'agent'>;
  /** `agent_bot_agent_tokens_total{provider,agent,direction}`: `input` and `output` tokens the agents reported. */
  readonly agentTokens: Counter<'provider' | 'agent' | 'direction'>;
  /** `agent_bot_provider_calls_total{provider,call,result}`: the transports' calls (react, reply, begin, show, show_progress, may_approve). */
  readonly providerCalls: Counter<'provider' | 'call' | 'result'>;
  /** `agent_bot_write_budget_skipped_total{provider}`: progress edits skipped to keep within the provider's limits. */
  readonly writesSkipped: Counter<'provider'>;
  /** `agent_bot_write_budget_wait_seconds{provider}`: how long urgent writes waited for a slot, in seconds. */
  readonly writeWaitSeconds: Histogram<'provider'>;
  /** `agent_bot_write_budget_exhausted_total{provider}`: urgent writes that found no slot in time (Temporal retries them). */
  readonly writesExhausted: Counter<'provider'>;
  /** `agent_bot_rate_limit_pauses_total{provider}`: rate-limit answers that paused a credential's writes. */
  readonly rateLimitPauses: Counter<'provider'>;
  /** `agent_bot_rate_limit_pause_seconds_total{provider}`: the time those pauses asked for, in seconds. */
  readonly rateLimitPauseSeconds: Counter<'provider'>;

  /** AGENT_KIND: the `agent` label. */
  readonly agentKind: string;
  private readonly providers = new Set<string>();
  /** When each running attempt got its agent slot (ms), once the slots are `agentSlots()`'s. */
  private readonly slotAcquiredAt = new WeakMap<ActivityContext, number>();
  private slotsMetered = false;

  /**
   * @param options.agentKind AGENT_KIND, the `agent` label.
   * @param options.processMetrics also the process's CPU, memory, event loop and GC (`process_*`, `nodejs_*`): for the entry point, not for a test process's many workers.
   */
  constructor(options: { agentKind: string; processMetrics?: boolean }) {
    this.agentKind = options.agentKind;
    const registers = [this.registry];
    this.tasks = new Counter({ name: 'agent_bot_tasks_total', help: 'Tasks whose final message was posted, by provider and outcome.', labelNames: ['provider', 'outcome'], registers });
    this.agentRunSeconds = new Histogram({ name: 'agent_bot_agent_run_seconds', help: 'Duration of agent runs (one attempt each), in seconds.', labelNames: ['provider', 'agent', 'outcome'], buckets: RUN_BUCKETS_SECONDS, registers });
    this.agentQueueWaitSeconds = new Histogram({ name: 'agent_bot_agent_queue_wait_seconds', help: 'Time an agent run waited for an agent slot (scheduled in Temporal to a slot on a worker), in seconds.', labelNames: ['provider', 'agent'], buckets: QUEUE_BUCKETS_SECONDS, registers });
    this.agentCostUsd = new Counter({ name: 'agent_bot_agent_cost_usd_total', help: 'Cost of agent runs as reported or priced, in USD.', labelNames: ['provider', 'agent'], registers });
    this.agentTokens = new Counter({ name: 'agent_bot_agent_tokens_total', help: 'Tokens of agent runs, by direction (input, output).', labelNames: ['provider', 'agent', 'direction'], registers });
    this.providerCalls = new Counter({ name: 'agent_bot_provider_calls_total', help: 'Calls to the providers (transport operations), by kind of call and result.', labelNames: ['provider', 'call', 'result'], registers });
    this.writesSkipped = new Counter({ name: 'agent_bot_write_budget_skipped_total', help: 'Progress edits skipped to stay within the provider write budget.', labelNames: ['provider'], registers });
    this.writeWaitSeconds = new Histogram({ name: 'agent_bot_write_budget_wait_seconds', help: 'Time urgent writes waited for the provider write budget, in seconds.', labelNames: ['provider'], buckets: WRITE_WAIT_BUCKETS_SECONDS, registers });
    this.writesExhausted = new Counter({ name: 'agent_bot_write_budget_exhausted_total', help: 'Urgent writes that found no slot in the write budget in time (retried later).', labelNames: ['provider'], registers });
    this.rateLimitPauses = new Counter({ name: 'agent_bot_rate_limit_pauses_total', help: 'Rate-limit answers that paused the writes of a credential.', labelNames: ['provider'], registers });
    this.rateLimitPauseSeconds = new Counter({ name: 'agent_bot_rate_limit_pause_seconds_total', help: 'Time the rate-limit pauses asked for, in seconds.', labelNames: ['provider'], registers });
    if (options.processMetrics === true) collectDefaultMetrics({ register: this.registry });
  }

  /** `provider` when it is one of this worker's transports, else `other`: a label never takes a value from outside. */
  provider(name: string | undefined): string {
    return name !== undefined && this.providers.has(name) ? name : 'other';
  }

  /** A task's final message is on its thread. */
  taskFinished(provider: string, outcome: TaskOutcome): void {
    this.tasks.inc({ provider: this.provider(provider), outcome });
  }

  /** One agent run: its time (undefined: it never got a slot), outcome and what it reported spending. */
  agentRun(provider: string | undefined, outcome: 'succeeded' | 'failed' | 'cancelled' | 'error', seconds: number | undefined, usage: AgentUsage | undefined): void {
    const labels = { provider: this.provider(provider), agent: this.agentKind };
    if (seconds !== undefined) this.agentRunSeconds.observe({ ...labels, outcome }, seconds);
    if (usage?.costUsd !== undefined && usage.costUsd > 0) this.agentCostUsd.inc(labels, usage.costUsd);
    if (usage?.inputTokens !== undefined && usage.inputTokens > 0) this.agentTokens.inc({ ...labels, direction: 'input' }, usage.inputTokens);
    if (usage?.outputTokens !== undefined && usage.outputTokens > 0) this.agentTokens.inc({ ...labels, direction: 'output' }, usage.outputTokens);
  }

  /**
   * AGENT_MAX_CONCURRENT's slots (shared by the process's agent workers), reporting when a run gets one: a
   * run may start on a worker and still wait there for a slot, so that moment, not the activity's start,
   * ends its queue wait and starts its run time.
   */
  agentSlots(size: number): AgentSlots {
    this.slotsMetered = true;
    const slotAcquired = (): void => this.slotAcquired();
    return new (class extends AgentSlots {
      override async acquire(signal: AbortSignal, onWait?: () => void): Promise<() => void> {
        const release = await super.acquire(signal, onWait);
        slotAcquired();
        return release;
      }
    })(size);
  }

  /** The current activity attempt got its agent slot: its queue wait ends now. */
  private slotAcquired(): void {
    let ctx: ActivityContext;
    try {
      ctx = ActivityContext.current();
    } catch {
      return; // not in an activity (a test using the slots directly)
    }
    const now = Date.now();
    this.slotAcquiredAt.set(ctx, now);
    this.observeQueueWait(ctx, activityTags(ctx.info, []).provider, now);
  }

  /** Scheduled (this attempt) → `at`, never negative: the server's clock against ours. */
  observeQueueWait(ctx: ActivityContext, provider: unknown, at: number): void {
    const scheduled = ctx.info.currentAttemptScheduledTimestampMs;
    if (!(scheduled > 0)) return;
    this.agentQueueWaitSeconds.observe({ provider: this.provider(typeof provider === 'string' ? provider : undefined), agent: this.agentKind }, Math.max(0, at - scheduled) / 1000);
  }

  /**
   * When the attempt's agent work began: its slot, or the activity's start when the slots are not
   * metered; undefined when it never got a slot (cancelled while waiting).
   */
  runStartedAt(ctx: ActivityContext, activityStartedAt: number): number | undefined {
    return this.slotsMetered ? this.slotAcquiredAt.get(ctx) : activityStartedAt;
  }

  /** Whether queue waits end at the activity's start (no metered slots) rather than at a slot. */
  get queueWaitEndsAtStart(): boolean {
    return !this.slotsMetered;
  }

  /** The hooks of one provider's write budgets: the provider is the label, never the budget's keys (they hold ids). */
  writeBudgetHooks(providerName: string): WriteBudgetHooks {
    this.providers.add(providerName);
    const provider = this.provider(providerName);
    return {
      skipped: () => this.writesSkipped.inc({ provider }),
      waited: (_keys, waitedMs) => this.writeWaitSeconds.observe({ provider }, waitedMs / 1000),
      exhausted: () => this.writesExhausted.inc({ provider }),
      paused: (_keys, pauseMs) => {
        this.rateLimitPauses.inc({ provider });
        this.rateLimitPauseSeconds.inc({ provider }, pauseMs / 1000);
      },
    };
  }

  /** The transports, each call counted by provider, kind of call and result. */
  instrumentTransports(transports: Transports): Transports {
    for (const provider of transports.providers) this.providers.add(provider);
    return new Transports(transports.providers.map((provider) => this.instrumentTransport(transports.for({ provider }))));
  }

  private instrumentTransport(transport: ThreadTransport): ThreadTransport {
    const provider = this.provider(transport.provider);
    const count = async <T>(call: string, run: () => Promise<T>, skipped?: (result: T) => boolean): Promise<T> => {
      try {
        const result = await run();
        this.providerCalls.inc({ provider, call, result: skipped?.(result) === true ? 'skipped' : 'ok' });
        return result;
      } catch (error) {
        this.providerCalls.inc({ provider, call, result: providerCallResult(error) });
        throw error;
      }
    };
    return {
      provider: transport.provider,
      react: (thread, messageId, reaction) => count('react', () => transport.react(thread, messageId, reaction)),
      reply: (thread, text) => count('reply', () => transport.reply(thread, text)),
      begin: (task, options) => count('begin', () => transport.begin(task, options)),
      checkout: (thread) => transport.checkout(thread),
      // A progress view may be skipped (undefined) when the write budget is short: `skipped`, not `ok`.
      show: (task, presence, view, options) =>
        count(options.priority === 'progress' ? 'show_progress' : 'show', () => transport.show(task, presence, view, options), (shown) => shown === undefined && options.priority === 'progress'),
      mayApprove: (thread, user) => count('may_approve', () => transport.mayApprove(thread, user)),
    };
  }
}

/** A provider failure as the providers' errors modules classified it (see contracts/errors.ts). */
export function providerCallResult(error: unknown): ProviderCallResult {
  const type = error instanceof ApplicationFailure ? error.type : undefined;
  if (type === ErrorType.GithubRateLimited || type === ErrorType.ProviderRateLimited) return 'rate_limited';
  if (type !== undefined && type !== null && (NON_RETRYABLE_PROVIDER_ERRORS as readonly string[]).includes(type)) return 'refused';
  if (type === ErrorType.GithubServerError || type === ErrorType.ProviderUnavailable) return 'unavailable';
  return 'error';
}

/**
 * The activity interceptor of the agent worker's metrics: each `runAgent` attempt's duration (from its agent
 * slot, see `agentSlots`) and outcome, and the cost and tokens it reported, from its result or, for
 * a run that failed after spending, from the failure's details. Errors are rethrown untouched.
 */
export function agentRunMetricsInterceptors(metrics: WorkerMetrics): ActivityInterceptorsFactory {
  return (ctx: ActivityContext) => ({ inbound: new AgentRunMetricsInbound(ctx, metrics) });
}

class AgentRunMetricsInbound implements ActivityInboundCallsInterceptor {
  constructor(
    private readonly ctx: ActivityContext,
    private readonly metrics: WorkerMetrics,
  ) {}

  async execute(input: ActivityExecuteInput, next: Next<ActivityInboundCallsInterceptor, 'execute'>): Promise<unknown> {
    const { info } = this.ctx;
    if (info.activityType !== 'runAgent') return next(input);
    const tagged = activityTags(info, input.args).provider;
    const provider = typeof tagged === 'string' ? tagged : undefined;
    const startedAt = Date.now();
    if (this.metrics.queueWaitEndsAtStart) this.metrics.observeQueueWait(this.ctx, provider, startedAt);
    // From the agent slot: waiting for one is queue time, not run time. A run that never got one never ran.
    const seconds = (): number | undefined => {
      const from = this.metrics.runStartedAt(this.ctx, startedAt);
      return from === undefined ? undefined : (Date.now() - from) / 1000;
    };
    try {
      const result = await next(input);
      this.metrics.agentRun(provider, 'succeeded', seconds(), usageOf((result as { usage?: unknown } | undefined)?.usage));
      return result;
    } catch (error) {
      const cancelled = error instanceof CancelledFailure || this.ctx.cancellationSignal.aborted;
      // A failure the agent's run produced (non-retryable, with the run's usage) or one Temporal retries.
      const outcome = cancelled ? 'cancelled' : error instanceof ApplicationFailure && error.nonRetryable ? 'failed' : 'error';
      this.metrics.agentRun(provider, outcome, seconds(), error instanceof ApplicationFailure ? usageOf(error.details?.[0]) : undefined);
      throw error;
    }
  }
}

/** An `AgentUsage` when `value` looks like one (a result's or a failure's details). */
function usageOf(value: unknown): AgentUsage | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const usage: AgentUsage = {};
  for (const key of ['costUsd', 'inputTokens', 'outputTokens', 'turns'] as const) {
    const item = (value as Record<string, unknown>)[key];
    if (typeof item === 'number' && Number.isFinite(item)) usage[key] = item;
  }
  return usage;
}
