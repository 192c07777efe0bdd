import type { CommandDefinition, DiscordClient } from './client';
import { AGENT_COMMAND_NAME, REQUEST_OPTION } from './route-interaction';

/**
 * `/agent request:<text>`: a slash command (CHAT_INPUT, type 1) with one required string option (type 3),
 * usable in servers only (context 0, guild install 0): agent-bot answers in server channels and their
 * threads (https://docs.discord.com/developers/interactions/application-commands#application-command-object).
 */
export const AGENT_COMMAND: CommandDefinition = {
  name: AGENT_COMMAND_NAME,
  type: 1,
  description: 'Put the coding agent to work, or: status, approve, reject, cancel, retry, help',
  options: [{ type: 3, name: REQUEST_OPTION, description: 'What to do ("fix the flaky login test"), or status, approve, cancel, help…', required: true, max_length: 4_000 }],
  contexts: [0],
  integration_types: [0],
};

/**
 * Registers agent-bot's commands for the application: globally, or in one server (`guildId`, which
 * applies at once; global commands may take a while to show). A bulk overwrite (PUT), so running it
 * again changes nothing, and a command agent-bot no longer has disappears.
 */
export async function registerDiscordCommands(client: DiscordClient, applicationId: string, guildId?: string): Promise<{ id: string; name: string }[]> {
  return client.overwriteCommands(applicationId, guildId, [AGENT_COMMAND]);
}
