import YAML from 'yaml';
import { z } from 'zod';

/** `owner/repo`, as GitHub allows the names. */
export const REPOSITORY_PATTERN = /^[A-Za-z0-9][\w.-]*\/[\w.-]+$/;

/**
 * A mapping from a provider's place (a Slack channel id or name, a Jira project key, a Sentry project
 * slug) to the `owner/repo` its threads work on, written as JSON or YAML (`{"C0123": "acme/widgets"}`
 * or `eng: acme/widgets`), in the environment or the config file. Keys are kept as written; lookups
 * compare case-insensitively.
 */
export const repoMapping = z
  .string()
  .optional()
  .transform((value, ctx): Record<string, string> => {
    if (value === undefined || value.trim() === '') return {};
    let parsed: unknown;
    try {
      parsed = YAML.parse(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `expected JSON or YAML mapping of place to owner/repo: ${(error as Error).message}` });
      return z.NEVER;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
      ctx.addIssue({ code: 'custom', message: 'expected a mapping of place to owner/repo, e.g. {"C0123ABC": "acme/widgets"}' });
      return z.NEVER;
    }
    const entries = Object.entries(parsed as Record<string, unknown>);
    const bad = entries.filter(([, repo]) => typeof repo !== 'string' || !REPOSITORY_PATTERN.test(repo)).map(([key]) => key);
    if (bad.length > 0) {
      ctx.addIssue({ code: 'custom', message: `expected owner/repo values; not one for: ${bad.join(', ')}` });
      return z.NEVER;
    }
    return Object.fromEntries(entries) as Record<string, string>;
  });

/** The repository mapped to any of `places` (an id first, then a name), compared case-insensitively. */
export function mappedRepo(mapping: Readonly<Record<string, string>>, places: readonly (string | undefined)[]): string | undefined {
  for (const place of places) {
    if (place === undefined) continue;
    for (const [key, repo] of Object.entries(mapping)) {
      if (key.toLowerCase() === place.toLowerCase() || key.toLowerCase() === `#${place.toLowerCase()}`) return repo;
    }
  }
  return undefined;
}

/** Whether a request may name `repo` here: only repositories the mapping lists (any place) are allowed. */
export function repoAllowed(mapping: Readonly<Record<string, string>>, repo: string): boolean {
  return Object.values(mapping).some((allowed) => allowed.toLowerCase() === repo.toLowerCase());
}
