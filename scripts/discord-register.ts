import { parseArgs } from 'node:util';
import { createDiscordClient } from '../integrations/discord/client';
import { registerDiscordCommands } from '../integrations/discord/commands';
import { DiscordConfigError, DiscordHttpError, DiscordNetworkError } from '../integrations/discord/errors';
import { loadConfigOrExit } from '../workers/main';

const USAGE = `usage: npm run discord:register [-- --guild <server id>]
  --guild   register in one server only (shows at once; without it the command is global)
Needs DISCORD_APPLICATION_ID and DISCORD_BOT_TOKEN (and DISCORD_API_URL for a stand-in).`;

/** `npm run discord:register`: puts `/agent request:<text>` in place for the application; safe to run again. */
async function main(): Promise<void> {
  let guild: string | undefined;
  try {
    const { values } = parseArgs({ options: { guild: { type: 'string' }, help: { type: 'boolean', default: false } } });
    if (values.help) {
      process.stdout.write(`${USAGE}\n`);
      return;
    }
    guild = values.guild;
  } catch (error) {
    process.stderr.write(`${(error as Error).message}\n${USAGE}\n`);
    process.exit(2);
  }
  if (guild !== undefined && !/^\d{15,21}$/.test(guild)) {
    process.stderr.write(`--guild: expected a server id (digits), got "${guild}"\n${USAGE}\n`);
    process.exit(2);
  }
  const config = loadConfigOrExit();
  if (config.DISCORD_APPLICATION_ID === undefined || config.DISCORD_BOT_TOKEN === undefined) {
    process.stderr.write(`agent-bot: set DISCORD_APPLICATION_ID and DISCORD_BOT_TOKEN first.\n${USAGE}\n`);
    process.exit(2);
  }
  const client = createDiscordClient({ apiUrl: config.DISCORD_API_URL, botToken: config.DISCORD_BOT_TOKEN });
  try {
    const commands = await registerDiscordCommands(client, config.DISCORD_APPLICATION_ID, guild);
    const where = guild === undefined ? 'globally (it may take a while to show in every server)' : `in server ${guild}`;
    process.stdout.write(`registered ${commands.map((command) => `/${command.name} (id ${command.id})`).join(', ')} ${where}\n`);
  } catch (error) {
    // The bot token must never reach the output: these errors carry Discord's words and codes only.
    const known = error instanceof DiscordHttpError || error instanceof DiscordNetworkError || error instanceof DiscordConfigError;
    const hint = error instanceof DiscordHttpError && error.status === 401 ? ' (check DISCORD_BOT_TOKEN)' : error instanceof DiscordHttpError && error.status === 403 ? ' (check DISCORD_APPLICATION_ID, and that the bot is in that server)' : '';
    process.stderr.write(`agent-bot: Discord refused the commands: ${known ? error.message : (error as Error).name}${hint}\n`);
    process.exitCode = 1;
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`agent-bot: ${error instanceof Error ? error.name : String(error)}\n`);
  process.exit(1);
});
