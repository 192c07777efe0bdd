import { z } from 'zod';
import { threadFromTarget } from '../../contracts/target';
import type { ThreadRef } from '../../contracts/thread';

/** Where a GitHub thread lives: the repository and the PR or issue number. */
export interface GithubAddress {
  owner: string;
  repo: string;
  number: number;
  kind: 'pull_request' | 'issue';
}

const addressSchema = z.object({
  owner: z.string().min(1),
  repo: z.string().min(1),
  number: z.number().int().positive(),
  kind: z.enum(['pull_request', 'issue']),
});

/** The thread of a PR or issue; `url` is the one GitHub gave (GitHub Enterprise has other hosts). */
export function githubThread(address: GithubAddress, url?: string): ThreadRef {
  const thread = threadFromTarget(address);
  return url === undefined ? thread : { ...thread, url };
}

/**
 * The address of a GitHub thread, validated: a thread comes back from workflow history, so it is read
 * like any input from outside.
 * @throws Error when the thread is not a GitHub thread or its address is incomplete.
 */
export function githubAddress(thread: ThreadRef): GithubAddress {
  if (thread.provider !== 'github') throw new Error(`not a GitHub thread: ${thread.provider}:${thread.key}`);
  const parsed = addressSchema.safeParse(thread.address);
  if (!parsed.success) throw new Error(`GitHub thread ${thread.key} has an invalid address: ${parsed.error.message}`);
  return parsed.data;
}
