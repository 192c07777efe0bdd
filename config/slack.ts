import { z } from 'zod';
import { list, optionalString } from './fields';
import { repoMapping } from './repo-mapping';

/** Slack's settings (README "Connect Slack"); spread into the one config schema. */
export const slackConfig = {
  /** The app's signing secret; during a rotation two, comma-separated. Unset: every Slack request gets 401. */
  SLACK_SIGNING_SECRET: list.default([]),
  /** The bot token (`xoxb-…`) the replies are written with. */
  SLACK_BOT_TOKEN: optionalString,
  /** The Web API base, with its trailing slash; a stand-in in tests. */
  SLACK_API_URL: z.url().default('https://slack.com/api/'),
  /** Channel id or name → `owner/repo` its threads work on (JSON or YAML). */
  SLACK_CHANNEL_REPOS: repoMapping,
  /** Slack user ids who may trigger and decide; empty: every human member of the workspace. */
  SLACK_ALLOWED_USERS: list.default([]),
  /** agent-bot's own user id (`U…`); unset: learned with `auth.test` (needs SLACK_BOT_TOKEN). Set, Slack requests need no `auth.test`. */
  SLACK_BOT_USER_ID: optionalString,
};
