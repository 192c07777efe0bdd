import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';
import type { ApprovalAck, ApprovalDecision } from './approval';
import type { TaskStatus } from './task-status';
import type { TargetStatus } from './status';
import type { AgentProgress, Command } from './task';

/** A new command for a target; duplicates (same delivery id) are dropped by the workflow. */
export const commandSignal = defineSignal<[Command]>('command');

/** The PR or issue was closed: finish the current task, then complete. */
export const closeSignal = defineSignal<[{ reason: string }]>('close');

/** Sent by the agent activity, throttled, so the UI and `status` show live progress. */
export const progressSignal = defineSignal<[{ taskId: string; progress: AgentProgress }]>('progress');

export const statusQuery = defineQuery<TargetStatus>('status');

/** On a task workflow: its phase, stage, approval state and progress. */
export const taskStatusQuery = defineQuery<TaskStatus>('taskStatus');

/**
 * Approve or reject a task that waits for approval. A signal, so `temporal workflow signal` works:
 * `--name approval --input '{"decision":"approve","by":"alice","via":"cli","trusted":true}'`.
 */
export const approvalSignal = defineSignal<[ApprovalDecision]>('approval');

/**
 * The same decision as an update: its synchronous validator refuses at once when nothing waits,
 * so an HTTP caller learns whether its approval counted.
 */
export const approvalUpdate = defineUpdate<ApprovalAck, [ApprovalDecision]>('decide');
