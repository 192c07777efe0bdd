import { defineQuery, defineSignal } from '@temporalio/workflow';
import type { TargetStatus } from './status';
import type { AgentProgress, Command } from './task';

/** A new command for a target; duplicates (same delivery id) are dropped by the workflow. */
export const commandSignal = defineSignal<[Command]>('command');

/** The PR or issue was closed: finish the current task, then complete. */
export const closeSignal = defineSignal<[{ reason: string }]>('close');

/** Sent by the agent activity, throttled, so the UI and `status` show live progress. */
export const progressSignal = defineSignal<[{ taskId: string; progress: AgentProgress }]>('progress');

export const statusQuery = defineQuery<TargetStatus>('status');
