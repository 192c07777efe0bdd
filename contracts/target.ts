/** Where a command came from and where its answer goes: one PR or issue on one provider. */
export interface TargetRef {
  provider: 'github';
  owner: string;
  repo: string;
  /** PR or issue number: GitHub numbers both from the same sequence. */
  number: number;
  kind: 'pull_request' | 'issue';
}

/** `acme/widgets#42`: the value of the `AgentTarget` search attribute. */
export function targetLabel(target: Pick<TargetRef, 'owner' | 'repo' | 'number'>): string {
  return `${target.owner}/${target.repo}#${target.number}`;
}

/** `github:acme/widgets#42`: the id of the long-lived workflow of one target. */
export function targetWorkflowId(target: Pick<TargetRef, 'provider' | 'owner' | 'repo' | 'number'>): string {
  return `${target.provider}:${targetLabel(target)}`;
}

/** `github:acme/widgets#42/task/<taskId>`: each task is a child workflow with its own page in the UI. */
export function taskWorkflowId(targetWorkflowIdValue: string, taskId: string): string {
  return `${targetWorkflowIdValue}/task/${taskId}`;
}

/**
 * A task id is derived from the webhook delivery id, so a redelivery maps to the same task and the
 * gateway can answer it with the same id without asking anyone.
 */
export function taskIdFromDelivery(provider: TargetRef['provider'], deliveryId: string): string {
  const safe = deliveryId.replace(/[^A-Za-z0-9-]/g, '').slice(0, 64);
  return `${provider === 'github' ? 'gh' : provider}-${safe}`;
}
