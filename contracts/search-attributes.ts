import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes: registered at every start, kept current by the workflows. */
export const AgentProvider = defineSearchAttributeKey('AgentProvider', SearchAttributeType.KEYWORD);
export const AgentTarget = defineSearchAttributeKey('AgentTarget', SearchAttributeType.KEYWORD);
export const AgentStatus = defineSearchAttributeKey('AgentStatus', SearchAttributeType.KEYWORD);
export const AgentRequester = defineSearchAttributeKey('AgentRequester', SearchAttributeType.KEYWORD);
/** On task workflows: the task id, so the API finds a task by the id the webhook answered with. */
export const AgentTaskId = defineSearchAttributeKey('AgentTaskId', SearchAttributeType.KEYWORD);

export const searchAttributeKeys = [AgentProvider, AgentTarget, AgentStatus, AgentRequester, AgentTaskId] as const;

/** Values of `AgentStatus`, on target and task workflows alike. */
export const AGENT_STATUS_VALUES = [
  'idle',
  'queued',
  'deferred',
  'planning',
  'awaiting_approval',
  'running',
  'posting',
  'succeeded',
  'failed',
  'cancelled',
  'rejected',
  'expired',
  'closed',
] as const;

export type AgentStatusValue = (typeof AGENT_STATUS_VALUES)[number];
