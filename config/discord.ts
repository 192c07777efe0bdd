import { z } from 'zod';
import { durationMs } from './duration';
import { list, optionalString } from './fields';
import { repoMapping } from './repo-mapping';

/** A Discord id (a snowflake): decimal digits. */
const snowflake = z.string().trim().regex(/^\d{15,21}$/, 'expected a Discord id (a snowflake: 15 to 21 digits)');

/** Discord's settings (README "Connect Discord"); spread into the one config schema. */
export const discordConfig = {
  /**
   * The application's Ed25519 public key, hex, as the developer portal shows it (64 hex digits). Unset:
   * every request to /webhooks/discord gets 401.
   */
  DISCORD_PUBLIC_KEY: optionalString.pipe(z.string().regex(/^[0-9a-fA-F]{64}$/, 'expected the 64 hex digits of the application public key').optional()),
  /** The application's id: interaction responses are edited under it (`/webhooks/{application id}/{token}`). */
  DISCORD_APPLICATION_ID: optionalString.pipe(snowflake.optional()),
  /** The bot token: threads, messages after an interaction token expired, and `npm run discord:register`. */
  DISCORD_BOT_TOKEN: optionalString,
  /** The HTTP API base, without a trailing slash; a stand-in in tests. */
  DISCORD_API_URL: z.url().default('https://discord.com/api/v10').transform((url) => url.replace(/\/+$/, '')),
  /** Channel id → `owner/repo` its tasks work on (JSON or YAML); a thread uses its parent channel's. */
  DISCORD_CHANNEL_REPOS: repoMapping,
  /** Role ids whose members may start, cancel and decide tasks; empty: every member of the server. */
  DISCORD_ALLOWED_ROLES: list.default([]),
  /**
   * How long an interaction token works after the interaction was created (Discord: 15 minutes). Shorter
   * only in tests, to see a task move to its thread without waiting 15 minutes.
   */
  DISCORD_INTERACTION_TOKEN_TTL: durationMs.prefault('15m'),
};
