import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { DISCORD_GUILD_ID } from '../../support/discord-deliveries';
import { DiscordStandIn } from '../../support/discord-stand-in';

const run = promisify(execFile);
const ROOT = path.join(__dirname, '..', '..', '..');

/** `npm run discord:register -- <args>` as a person runs it, with only the Discord settings given. */
async function register(discord: DiscordStandIn, args: string[], token = discord.botToken): Promise<{ code: number; stdout: string; stderr: string }> {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('DISCORD_') && key !== 'AGENT_BOT_CONFIG'));
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', 'scripts/discord-register.ts', ...args], {
      cwd: ROOT,
      env: { ...env, DISCORD_APPLICATION_ID: discord.applicationId, DISCORD_BOT_TOKEN: token, DISCORD_API_URL: discord.apiUrl },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code: number; stdout: string; stderr: string };
    return { code: failed.code, stdout: failed.stdout, stderr: failed.stderr };
  }
}

describe('npm run discord:register', function () {
  this.timeout(60_000);
  let discord: DiscordStandIn;
  beforeEach(async () => {
    discord = await new DiscordStandIn().start();
  });
  afterEach(() => discord.stop());

  it('registers /agent in one server, and again without changing it', async () => {
    const first = await register(discord, ['--guild', DISCORD_GUILD_ID]);
    assert.equal(first.code, 0, first.stderr);
    assert.match(first.stdout, new RegExp(`registered /agent \\(id \\d+\\) in server ${DISCORD_GUILD_ID}`));
    const id = discord.commands.get(DISCORD_GUILD_ID)![0]!['id'];
    const again = await register(discord, ['--guild', DISCORD_GUILD_ID]);
    assert.equal(again.code, 0, again.stderr);
    assert.deepEqual(discord.commands.get(DISCORD_GUILD_ID)!.map((command) => [command['name'], command['id']]), [['agent', id]]);
    assert.equal(discord.commands.get('global'), undefined, 'a server command is not a global one');
  });

  it('registers globally without --guild, and fails clearly (without printing the token) when Discord refuses it', async () => {
    const global = await register(discord, []);
    assert.equal(global.code, 0, global.stderr);
    assert.match(global.stdout, /globally/);
    const refused = await register(discord, [], 'a-wrong-token');
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /Discord refused the commands: HTTP 401.*check DISCORD_BOT_TOKEN/);
    assert.ok(!refused.stderr.includes('a-wrong-token'));
    const bad = await register(discord, ['--guild', 'general']);
    assert.equal(bad.code, 2);
  });
});
