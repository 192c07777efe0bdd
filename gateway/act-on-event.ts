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
