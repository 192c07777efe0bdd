import { z } from 'zod';
import { list, optionalString } from './fields';
import { repoMapping } from './repo-mapping';

/** What may start work from Sentry: a comment mentioning the bot, a new issue, an issue alert firing. */
export const SENTRY_RESOURCES = ['comment', 'issue', 'event_alert'] as const;
export type SentryTriggerResource = (typeof SENTRY_RESOURCES)[number];

/** The Sentry settings, spread into `configSchema`. The README's "Connect Sentry" documents each key. */
export const sentryConfig = {
  /** The integration's client secret: it signs every webhook. Two, comma-separated, during a rotation. */
  SENTRY_CLIENT_SECRET: list.default([]),
  SENTRY_API_URL: z.url().default('https://sentry.io/api/0/'),
  /** The internal integration's token (Issue & Event: Read & Write). */
  SENTRY_AUTH_TOKEN: optionalString,
  /** Organization slug: comment webhooks do not carry it, and thread keys start with it. */
  SENTRY_ORG: optionalString,
  /** Project slug → `owner/repo` (JSON or YAML). */
  SENTRY_PROJECT_REPOS: repoMapping,
  SENTRY_TRIGGER_RESOURCES: list.default(['comment']).pipe(z.array(z.enum(SENTRY_RESOURCES, { error: `expected a comma-separated list of ${SENTRY_RESOURCES.join(', ')}` }))),
};

type SentryConfig = z.output<z.ZodObject<typeof sentryConfig>>;

/** Sentry as one process uses it, once its settings are complete. */
export interface SentrySettings {
  /** `https://sentry.io/api/0/`, always ending in `/`. */
  apiUrl: string;
  /** Where people open an issue: `https://<org>.sentry.io` on sentry.io, the host itself when self-hosted. */
  webUrl: string;
  token: string;
  org: string;
  clientSecrets: readonly string[];
  projectRepos: Readonly<Record<string, string>>;
  triggers: ReadonlySet<SentryTriggerResource>;
}

/**
 * The Sentry settings, or `undefined` when Sentry is not configured (neither token, organization nor secret set).
 * @throws Error naming the missing keys when only some are set.
 */
export function sentrySettings(config: SentryConfig): SentrySettings | undefined {
  const required = { SENTRY_AUTH_TOKEN: config.SENTRY_AUTH_TOKEN, SENTRY_ORG: config.SENTRY_ORG };
  const missing = Object.entries(required).filter(([, value]) => value === undefined).map(([key]) => key);
  if (missing.length === 2 && config.SENTRY_CLIENT_SECRET.length === 0) return undefined;
  if (missing.length > 0) throw new Error(`invalid configuration:\n  ${missing.join(', ')}: required to use Sentry (SENTRY_AUTH_TOKEN and SENTRY_ORG go together)`);
  const apiUrl = config.SENTRY_API_URL.replace(/\/*$/, '/');
  const api = new URL(apiUrl);
  const org = config.SENTRY_ORG!;
  const webUrl = api.hostname === 'sentry.io' ? `https://${org}.sentry.io` : `${api.protocol}//${api.host}/organizations/${org}`;
  return {
    apiUrl,
    webUrl,
    token: config.SENTRY_AUTH_TOKEN!,
    org,
    clientSecrets: config.SENTRY_CLIENT_SECRET,
    projectRepos: config.SENTRY_PROJECT_REPOS,
    triggers: new Set(config.SENTRY_TRIGGER_RESOURCES),
  };
}
