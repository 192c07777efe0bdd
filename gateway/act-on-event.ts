import type { RoutedEvent } from '../integrations/routed-event';
import { threadWorkflowId } from '../contracts/thread';
import type { Dispatcher } from './dispatcher';

/** What the gateway did with a routed event: each provider's router turns it into its own HTTP answer. */
export type EventOutcome =
  | { kind: 'accepted'; taskId: string; workflowId: string }
  | { kind: 'delivered'; workflowId: string }
  | { kind: 'closing'; workflowId: string }
  | { kind: 'ignored'; reason: string }
  | { kind: 'ping' };

/**
 * The HTTP answer to an event acted on, for providers that read only the status (GitHub, Jira, Sentry):
 * 202 with what Temporal now holds when work was started or signalled, 200 when there was nothing to do.
 * `ping` is the body of a ping's answer (GitHub's adds `pong`).
 */
export function webhookAnswer(outcome: EventOutcome, ping: Record<string, unknown> = { ok: true }): { status: 200 | 202; body: Record<string, unknown> } {
  switch (outcome.kind) {
    case 'ping':
      return { status: 200, body: ping };
    case 'ignored':
      return { status: 200, body: { ignored: outcome.reason } };
    case 'accepted':
      return { status: 202, body: { task_id: outcome.taskId, workflow_id: outcome.workflowId } };
    case 'closing':
      return { status: 202, body: { closing: true } };
    case 'delivered':
      return { status: 202, body: { workflow_id: outcome.workflowId } };
  }
}

/**
 * Hands a routed event to Temporal: a command starts or signals its thread's conversation, a decision
 * or a cancel goes to its task, a close to its conversation. Resolves once Temporal recorded it.
 * @throws Error when Temporal does not answer (the router answers 5xx and the provider retries).
 */
export async function actOnEvent(event: Exclude<RoutedEvent, { kind: 'invalid' }>, dispatcher: Dispatcher): Promise<EventOutcome> {
  switch (event.kind) {
    case 'ping':
      return { kind: 'ping' };
    case 'ignored':
      return event;
    case 'close': {
      const signalled = await dispatcher.closeThread(event.thread, event.reason);
      return signalled ? { kind: 'closing', workflowId: threadWorkflowId(event.thread) } : { kind: 'ignored', reason: 'no running workflow for this thread' };
    }
    case 'command': {
      if (event.signalOnly === true) {
        const delivered = await dispatcher.signalCommand(event.thread, event.command);
        return delivered ? { kind: 'delivered', workflowId: threadWorkflowId(event.thread) } : { kind: 'ignored', reason: 'no running workflow for this thread' };
      }
      const { workflowId } = await dispatcher.dispatchCommand(event.thread, event.command);
      return { kind: 'accepted', taskId: event.command.taskId, workflowId };
    }
    case 'decision': {
      const delivered = await dispatcher.decideTask(event.taskWorkflowId, event.decision);
      return delivered ? { kind: 'delivered', workflowId: event.taskWorkflowId } : { kind: 'ignored', reason: 'the task is no longer running' };
    }
    case 'cancel': {
      const delivered = await dispatcher.cancelTask(event.taskWorkflowId);
      return delivered ? { kind: 'delivered', workflowId: event.taskWorkflowId } : { kind: 'ignored', reason: 'the task is no longer running' };
    }
  }
}
