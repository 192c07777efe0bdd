import type { ApprovalDecision } from '../contracts/approval';
import type { Command } from '../contracts/task';
import type { ThreadRef } from '../contracts/thread';

/** What a verified delivery asks of us, on any provider: the gateway's routers act on it. */
export type RoutedEvent =
  /** `signalOnly`: acts on a running thread but never starts one (approvals). */
  | { kind: 'command'; thread: ThreadRef; command: Command; signalOnly?: boolean }
  /** A button: a decision for the task workflow it belongs to. */
  | { kind: 'decision'; taskWorkflowId: string; decision: ApprovalDecision }
  /** A button that cancels a running task. */
  | { kind: 'cancel'; taskWorkflowId: string; by: string }
  | { kind: 'close'; thread: ThreadRef; reason: string }
  | { kind: 'ping' }
  | { kind: 'ignored'; reason: string }
  | { kind: 'invalid'; message: string };
