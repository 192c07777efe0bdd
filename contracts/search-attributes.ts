import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/** Custom search attributes: registered at every start, kept current by the workflows. */
export const AgentProvider = defineSearchAttributeKey('AgentProvider', SearchAttributeType.KEYWORD);
export const AgentTarget = defineSearchAttributeKey('AgentTarget', SearchAttributeType.KEYWORD);
export const AgentStatus = defineSearchAttributeKey('AgentStatus', SearchAttributeType.KEYWORD);
export const AgentRequester = defineSearchAttributeKey('AgentRequester', SearchAttributeType.KEYWORD);

export const searchAttributeKeys = [AgentProvider, AgentTarget, AgentStatus, AgentRequester] as const;

/** Values of `AgentStatus`, on target and task workflows alike. */
export type AgentStatusValue =
  | 'idle'
  | 'queued'
  | 'running'
  | 'posting'
  | 'succeeded'
  | 'failed'
  | 'cancelled'
  | 'closed';
