import { ApplicationFailure } from '@temporalio/common';
import { ErrorType } from '../../contracts/errors';
import type { TaskPresence, TaskView } from '../../contracts/presence';
import type { Checkout, PromptContext, ShowOptions, TaskOnThread, ThreadTransport } from '../transport';
import { deliverCallback, type CallbackPayload } from './callback';
import { apiAddress } from './thread';

export interface ApiTransportOptions {
  /** AGENT_BOT_API_TOKEN: signs callbacks. Unset on this worker: a thread with a callback fails its final post. */
  token: string | undefined;
  /** Per callback attempt (ms). */
  callbackTimeoutMs?: number;
  fetch?: typeof fetch;
}

/**
 * agent-bot for callers of the HTTP API, who have no chat thread. There is nothing to react on, reply on
 * or edit: the caller reads the task through `GET /api/tasks/<id>` (its `taskStatus` query keeps the
 * plan and the answer) and follows it with the SSE route. Replies (status, reminders, refusals) are
 * dropped: every one of them has an API route that answers the same question. The one write is the
 * final result, POSTed signed to the thread's `callback_url` when the request that started the thread
 * gave one.
 */
export function createApiTransport(options: ApiTransportOptions): ThreadTransport {
  const timeoutMs = options.callbackTimeoutMs ?? 10_000;
  return {
    provider: 'api',

    async react(): Promise<void> {
      // An API request has no message to react on.
    },

    async reply(): Promise<void> {
      // Nobody reads an API thread: status and decisions have routes of their own (see the README).
    },

    begin(task: TaskOnThread, { presence }): Promise<{ presence: TaskPresence; context: PromptContext }> {
      apiAddress(task.thread); // a malformed thread fails here, before the agent runs
      return Promise.resolve({ presence, context: { notes: ['The request came through the HTTP API of agent-bot: your final message is returned to the caller as the answer.'] } });
    },

    checkout(): Checkout | undefined {
      // The repository's default branch, on a branch of the thread's own (run-agent names it).
      return undefined;
    },

    async show(task: TaskOnThread, presence: TaskPresence, view: TaskView, _options: ShowOptions): Promise<TaskPresence> {
      if (view.phase !== 'final') return presence;
      const address = apiAddress(task.thread);
      if (address.callbackUrl === undefined) return presence;
      if (options.token === undefined) {
        throw ApplicationFailure.nonRetryable('AGENT_BOT_API_TOKEN is not set on this worker: the callback cannot be signed', ErrorType.ApiCallbackUnsigned);
      }
      await deliverCallback(address.callbackUrl, options.token, callbackPayload(task, address.threadId, view), { timeoutMs, ...(options.fetch === undefined ? {} : { fetch: options.fetch }) });
      return { ...presence, state: { ...presence.state, callback: 'delivered' } };
    },

    mayApprove(): Promise<boolean> {
      // Decisions on API tasks come through the API's own routes, which the bearer token already trusts.
      return Promise.resolve(false);
    },
  };
}

/** The final result as the callback carries it. */
export function callbackPayload(task: TaskOnThread, threadId: string, view: Extract<TaskView, { phase: 'final' }>): CallbackPayload {
  return {
    event: 'task.finished',
    task_id: task.header.taskId,
    workflow_id: task.taskWorkflowId,
    thread_id: threadId,
    request: task.header.request,
    requester: task.header.requester,
    outcome: view.outcome,
    answer: view.text,
    truncated: view.truncated === true,
    duration_ms: view.durationMs,
    usage: {
      cost_usd: view.usage.costUsd ?? null,
      input_tokens: view.usage.inputTokens ?? null,
      output_tokens: view.usage.outputTokens ?? null,
      turns: view.usage.turns ?? null,
    },
    decision: view.decision ?? null,
    note: view.note ?? null,
    run_url: task.header.runUrl,
  };
}
