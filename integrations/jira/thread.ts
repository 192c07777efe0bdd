import { z } from 'zod';
import { mappedRepo } from '../../config/repo-mapping';
import type { ThreadRef } from '../../contracts/thread';

/** Where a Jira thread lives: the site (`acme.atlassian.net`), the issue and its project. */
export interface JiraAddress {
  site: string;
  issueKey: string;
  projectKey: string;
}

const addressSchema = z.object({
  site: z.string().min(1),
  issueKey: z.string().regex(/^[A-Za-z][A-Za-z0-9_]*-\d+$/),
  projectKey: z.string().min(1),
});

/** The site and the project mapping a thread needs: from `JiraSettings`. */
export interface JiraSite {
  /** `acme.atlassian.net` */
  site: string;
  /** `https://acme.atlassian.net` */
  baseUrl: string;
  projectRepos: Readonly<Record<string, string>>;
}

/** `PROJ` of `PROJ-12`. */
export function projectKeyOf(issueKey: string): string {
  return issueKey.slice(0, issueKey.lastIndexOf('-'));
}

/**
 * The thread of a Jira issue, `jira:<site>/<ISSUE-KEY>`; it works on the repository `JIRA_PROJECT_REPOS`
 * maps its project to, or on none (an empty workspace) when the project is not mapped.
 */
export function jiraThread(site: JiraSite, issueKey: string): ThreadRef {
  const projectKey = projectKeyOf(issueKey);
  const repo = mappedRepo(site.projectRepos, [projectKey]);
  return {
    provider: 'jira',
    key: `${site.site}/${issueKey}`,
    label: issueKey,
    kind: 'Jira issue',
    url: `${site.baseUrl}/browse/${issueKey}`,
    ...(repo === undefined ? {} : { repo }),
    address: { site: site.site, issueKey, projectKey },
  };
}

/**
 * The address of a Jira thread, validated: a thread comes back from workflow history, so it is read like
 * any input from outside.
 * @throws Error when the thread is not a Jira thread or its address is incomplete.
 */
export function jiraAddress(thread: ThreadRef): JiraAddress {
  if (thread.provider !== 'jira') throw new Error(`not a Jira thread: ${thread.provider}:${thread.key}`);
  const parsed = addressSchema.safeParse(thread.address);
  if (!parsed.success) throw new Error(`Jira thread ${thread.key} has an invalid address: ${parsed.error.message}`);
  return parsed.data;
}
