import { taskWorkflowId, threadWorkflowId, type ThreadRef } from './thread';

export { taskWorkflowId };

/**
 * The GitHub-only thread of the first versions (a PR or issue). Recorded histories and conversations
 * started before the provider-neutral thread carry it in their input and carried state; new code turns
 * it into a `ThreadRef` with `threadFromTarget` and never produces it.
 */
export interface TargetRef {
  provider: 'github';
  owner: string;
  repo: string;
  /** PR or issue number: GitHub numbers both from the same sequence. */
  number: number;
  kind: 'pull_request' | 'issue';
}

/** `acme/widgets#42`: the key of a GitHub thread, and the label people read. */
export function targetLabel(target: Pick<TargetRef, 'owner' | 'repo' | 'number'>): string {
  return `${target.owner}/${target.repo}#${target.number}`;
}

/** `github:acme/widgets#42`: the conversation workflow of a PR or issue. */
export function targetWorkflowId(target: Omit<TargetRef, 'kind'>): string {
  return threadWorkflowId({ provider: 'github', key: targetLabel(target) });
}

/**
 * The thread of a GitHub PR or issue. It lives here, not with the GitHub integration, because the
 * workflows must read the `TargetRef` of runs recorded before threads existed; the GitHub integration
 * builds its threads with this same function, so both always agree.
 */
export function threadFromTarget(target: Omit<TargetRef, 'provider'>): ThreadRef {
  const label = targetLabel(target);
  const path = target.kind === 'pull_request' ? 'pull' : 'issues';
  return {
    provider: 'github',
    key: label,
    label,
    kind: target.kind === 'pull_request' ? 'pull request' : 'issue',
    url: `https://github.com/${target.owner}/${target.repo}/${path}/${target.number}`,
    repo: `${target.owner}/${target.repo}`,
    address: { owner: target.owner, repo: target.repo, number: target.number, kind: target.kind },
  };
}

/** True for the pre-thread input shape. */
export function isTargetRef(value: unknown): value is TargetRef {
  return typeof value === 'object' && value !== null && (value as { provider?: unknown }).provider === 'github' && typeof (value as { number?: unknown }).number === 'number' && !('key' in value);
}

/** A thread, whichever shape a workflow input or carried state holds. */
export function asThread(value: ThreadRef | TargetRef): ThreadRef {
  return isTargetRef(value) ? threadFromTarget(value) : value;
}

/**
 * The pre-thread shape of a GitHub thread, or undefined for any other provider. The gateway sends it
 * beside the thread while workers of the previous release may still run (a rolling upgrade): they read
 * `target`, current workers read `thread`.
 */
export function targetFromThread(thread: ThreadRef): TargetRef | undefined {
  const { owner, repo, number, kind } = thread.address;
  if (thread.provider !== 'github' || typeof owner !== 'string' || typeof repo !== 'string' || typeof number !== 'number') return undefined;
  if (kind !== 'pull_request' && kind !== 'issue') return undefined;
  return { provider: 'github', owner, repo, number, kind };
}
