import { z } from 'zod';
import { list, optionalString } from './fields';
import { repoMapping } from './repo-mapping';

/** The Jira Cloud settings, spread into `configSchema`. The README's "Connect Jira" documents each key. */
export const jiraConfig = {
  /** Secret of the admin webhook(s); two, comma-separated, during a rotation. Unset: every delivery gets 401. */
  JIRA_WEBHOOK_SECRET: list.default([]),
  /** The site, e.g. `https://acme.atlassian.net`: replies go to its REST API, threads are named after its host. */
  JIRA_BASE_URL: optionalString.pipe(z.url().optional()),
  JIRA_EMAIL: optionalString,
  JIRA_API_TOKEN: optionalString,
  /** Project key → `owner/repo` (JSON or YAML). */
  JIRA_PROJECT_REPOS: repoMapping,
  /** agent-bot's own account: its comments never trigger, and `[~accountid:<it>]` is a mention of the bot. */
  JIRA_ACCOUNT_ID: optionalString,
  /** An issue created with this label, or given it later, starts a task. Unset: labels start nothing. */
  JIRA_TRIGGER_LABEL: optionalString,
};

type JiraConfig = z.output<z.ZodObject<typeof jiraConfig>>;

/** Jira as one process uses it, once its settings are complete. */
export interface JiraSettings {
  /** `https://acme.atlassian.net`, without a trailing slash. */
  baseUrl: string;
  /** `acme.atlassian.net`: the first part of every Jira thread key. */
  site: string;
  email: string;
  apiToken: string;
  webhookSecrets: readonly string[];
  projectRepos: Readonly<Record<string, string>>;
  accountId: string | undefined;
  triggerLabel: string | undefined;
}

/**
 * The Jira settings, or `undefined` when Jira is not configured (no `JIRA_*` credential or URL set).
 * @throws Error naming the missing keys when some but not all of URL, email and token are set.
 */
export function jiraSettings(config: JiraConfig): JiraSettings | undefined {
  const required = { JIRA_BASE_URL: config.JIRA_BASE_URL, JIRA_EMAIL: config.JIRA_EMAIL, JIRA_API_TOKEN: config.JIRA_API_TOKEN };
  const missing = Object.entries(required).filter(([, value]) => value === undefined).map(([key]) => key);
  if (missing.length === 3 && config.JIRA_WEBHOOK_SECRET.length === 0) return undefined;
  if (missing.length > 0) throw new Error(`invalid configuration:\n  ${missing.join(', ')}: required to use Jira (JIRA_BASE_URL, JIRA_EMAIL and JIRA_API_TOKEN go together)`);
  const baseUrl = config.JIRA_BASE_URL!.replace(/\/+$/, '');
  return {
    baseUrl,
    site: new URL(baseUrl).host,
    email: config.JIRA_EMAIL!,
    apiToken: config.JIRA_API_TOKEN!,
    webhookSecrets: config.JIRA_WEBHOOK_SECRET,
    projectRepos: config.JIRA_PROJECT_REPOS,
    accountId: config.JIRA_ACCOUNT_ID,
    triggerLabel: config.JIRA_TRIGGER_LABEL,
  };
}
