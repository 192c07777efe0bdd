import { z } from 'zod';
import { mappedRepo } from '../../config/repo-mapping';
import type { ThreadRef } from '../../contracts/thread';

/** Where a Sentry thread lives: the organization and the issue (Sentry calls it a group). */
export interface SentryAddress {
  org: string;
  issueId: string;
}

const addressSchema = z.object({ org: z.string().min(1), issueId: z.string().regex(/^\d+$/) });

/** The organization and the project mapping a thread needs: from `SentrySettings`. */
export interface SentryOrg {
  org: string;
  /** `https://acme.sentry.io`, or `https://sentry.example.com/organizations/acme` self-hosted. */
  webUrl: string;
  projectRepos: Readonly<Record<string, string>>;
}

/**
 * The thread of a Sentry issue, `sentry:<org>/<issue id>`; it works on the repository `SENTRY_PROJECT_REPOS`
 * maps its project to, or on none (an empty workspace) when the project is unknown or not mapped.
 */
export function sentryThread(org: SentryOrg, issue: { id: string; projectSlug?: string | undefined; shortId?: string | undefined }): ThreadRef {
  const repo = mappedRepo(org.projectRepos, [issue.projectSlug]);
  return {
    provider: 'sentry',
    key: `${org.org}/${issue.id}`,
    label: issue.shortId ?? issue.id,
    kind: 'Sentry issue',
    url: `${org.webUrl}/issues/${issue.id}/`,
    ...(repo === undefined ? {} : { repo }),
    address: { org: org.org, issueId: issue.id },
  };
}

/**
 * The address of a Sentry thread, validated: a thread comes back from workflow history, so it is read like
 * any input from outside.
 * @throws Error when the thread is not a Sentry thread or its address is incomplete.
 */
export function sentryAddress(thread: ThreadRef): SentryAddress {
  if (thread.provider !== 'sentry') throw new Error(`not a Sentry thread: ${thread.provider}:${thread.key}`);
  const parsed = addressSchema.safeParse(thread.address);
  if (!parsed.success) throw new Error(`Sentry thread ${thread.key} has an invalid address: ${parsed.error.message}`);
  return parsed.data;
}
