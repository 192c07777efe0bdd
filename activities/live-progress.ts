import type { Client } from '@temporalio/client';
import { defaultPayloadConverter } from '@temporalio/common';
import { temporal } from '@temporalio/proto';
import { AgentStatus } from '../contracts/search-attributes';
import type { AgentProgress } from '../contracts/task';

const SCHEDULED = temporal.api.enums.v1.PendingActivityState.PENDING_ACTIVITY_STATE_SCHEDULED;

/** The stage shown while an agent run waits for a worker with a free slot (AGENT_MAX_CONCURRENT). */
export const WAITING_FOR_AGENT_SLOT = 'waiting for an agent slot';

/** The stage shown while a task's plan waits for a person to approve or reject it. */
export const WAITING_FOR_APPROVAL = 'plan ready, waiting for approval';

/**
 * The live progress of a task's agent run: while the run waits in its task queue, a `waiting for an
 * agent slot` stage; once it runs, what its last heartbeat reported (the same object the UI shows under
 * the pending activity's "Last Heartbeat"); while its plan waits for approval, that stage. Undefined
 * otherwise. Workflows no longer
 * receive a signal per progress step: this read is where `@agent status` and the HTTP API get the live
 * view, at no cost in history.
 * @throws the client's error when the workflow cannot be described (not found, Temporal down).
 */
export async function liveTaskProgress(client: Client, taskWorkflowId: string): Promise<AgentProgress | undefined> {
  const description = await client.workflow.getHandle(taskWorkflowId).describe();
  for (const activity of description.raw.pendingActivities ?? []) {
    if (activity.activityType?.name !== 'runAgent') continue;
    if (activity.state === SCHEDULED) return { stage: WAITING_FOR_AGENT_SLOT, lineCount: 0, lastLines: [], updatedAt: new Date().toISOString() };
    const payload = activity.heartbeatDetails?.payloads?.[0];
    // Picked up by a worker, not heartbeated yet: the agent is being started.
    if (payload === undefined || payload === null) return { stage: 'starting the agent', lineCount: 0, lastLines: [], updatedAt: new Date().toISOString() };
    const details: unknown = defaultPayloadConverter.fromPayload(payload);
    if (isProgress(details)) {
      const { stage, lineCount, lastLines, costUsd, updatedAt } = details;
      return { stage, lineCount, lastLines, updatedAt, ...(costUsd === undefined ? {} : { costUsd }) };
    }
  }
  // No agent run: a task whose plan waits for a person says so (the conversation only knows it started planning).
  if (description.typedSearchAttributes.get(AgentStatus) === 'awaiting_approval') {
    return { stage: WAITING_FOR_APPROVAL, lineCount: 0, lastLines: [], updatedAt: new Date().toISOString() };
  }
  return undefined;
}

function isProgress(value: unknown): value is AgentProgress {
  return typeof value === 'object' && value !== null && typeof (value as { stage?: unknown }).stage === 'string' && Array.isArray((value as { lastLines?: unknown }).lastLines);
}
