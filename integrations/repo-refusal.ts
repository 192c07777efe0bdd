import { repoAllowed } from '../config/repo-mapping';
import type { ParsedThreadCommand } from './thread-command';

/**
 * The reply to a request that names a repository (`in owner/repo`, `repo:owner/repo`) the provider's
 * mapping does not list: agent-bot works only on repositories an operator mapped, so a Jira or Sentry
 * user cannot point the agent (and its token) at any repository they like.
 *
 * @param settingName the mapping's setting, e.g. `JIRA_PROJECT_REPOS`
 * @param place what the thread belongs to, e.g. `project PROJ`
 */
export function refusedRepoHelp(repo: string, options: RepoPolicy): string {
  const allowed = [...new Set(Object.values(options.mapping))];
  const which = allowed.length === 0 ? `${options.settingName} maps no repository at all` : `${options.settingName} allows ${allowed.map((r) => `\`${r}\``).join(', ')}`;
  const here = options.mapped === undefined
    ? `${capitalize(options.place)} has no repository, so a request without one runs in an empty folder.`
    : `${capitalize(options.place)} works on \`${options.mapped}\`.`;
  return `I can't work on \`${repo}\` here: ${which}. ${here} Ask an operator to add \`${repo}\` to ${options.settingName} if it should be allowed.`;
}

function capitalize(text: string): string {
  return text.charAt(0).toUpperCase() + text.slice(1);
}

export interface RepoPolicy {
  /** e.g. `JIRA_PROJECT_REPOS` */
  settingName: string;
  /** e.g. `project PROJ` */
  place: string;
  mapping: Readonly<Record<string, string>>;
  /** The repository the thread's place maps to, if any. */
  mapped: string | undefined;
}

/**
 * A request may name a repository (`in owner/repo`) only when the provider's mapping lists it: otherwise it
 * becomes an `unknown` command whose reply (`helpText`) says why. A request without a repository is left
 * alone: it works on the mapped one, or runs in an empty folder and its answer says so.
 */
export function refuseUnlistedRepo<T extends ParsedThreadCommand>(parsed: T, policy: RepoPolicy): T {
  if (parsed.repo === undefined || repoAllowed(policy.mapping, parsed.repo)) return parsed;
  const refused: T = { ...parsed, action: 'unknown', helpText: refusedRepoHelp(parsed.repo, policy) };
  delete refused.repo;
  return refused;
}
