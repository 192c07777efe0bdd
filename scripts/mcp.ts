import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { Client, Connection } from '@temporalio/client';
import { createApiTaskStarter } from '../gateway/api/start-task';
import { createTemporalDispatcher } from '../gateway/dispatcher';
import { createOperatorServer } from '../integrations/mcp/operator-server';
import { commandPolicy } from '../workers/gateway-routers';
import { createLogger } from '../workers/logger';
import { connectTemporal, loadConfigOrExit, onShutdownSignal, runMain, temporalAddress } from '../workers/main';

const log = createLogger('mcp');

/**
 * `npm run --silent mcp`: the operator MCP server over stdio (MCP spec 2025-06-18, SDK 1.32), for an MCP
 * client on the machine (Claude Desktop, Claude Code, an IDE) that starts it as a command. It talks to
 * Temporal at TEMPORAL_ADDRESS with the same config as the gateway; stdout carries only the protocol
 * (hence `--silent`: npm's banner would corrupt it), logs go to stderr. It ends when the client closes stdin.
 */
const USAGE = `usage: npm run --silent mcp
  The operator MCP server over stdio, for an MCP client that starts it as a command (see README, MCP).
  It reads the same environment as the gateway (TEMPORAL_ADDRESS, AGENT_BOT_DATA_DIR, ...); no options.`;

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  if (args.length > 0) {
    // Started by hand with an option: say what this is rather than wait silently for a client on stdin.
    const help = args.every((arg) => arg === '--help' || arg === '-h');
    (help ? process.stdout : process.stderr).write(`${help ? '' : `unknown argument: ${args.join(' ')}\n`}${USAGE}\n`);
    if (!help) process.exitCode = 2;
    return;
  }
  const config = loadConfigOrExit();
  const connection = await connectTemporal(config, (address) => Connection.connect({ address }));
  try {
    const client = new Client({ connection, namespace: config.TEMPORAL_NAMESPACE });
    const server = createOperatorServer({
      client,
      dataDir: config.AGENT_BOT_DATA_DIR,
      startTask: createApiTaskStarter(client, createTemporalDispatcher(client, config.TEMPORAL_TASK_QUEUE), commandPolicy(config)),
    });
    const transport = new StdioServerTransport();
    const closed = new Promise<void>((resolve) => {
      transport.onclose = resolve;
      process.stdin.once('end', resolve);
      onShutdownSignal(() => resolve());
    });
    await server.connect(transport);
    log('operator MCP server on stdio', { temporal: temporalAddress(config) });
    await closed;
    await server.close();
  } finally {
    await connection.close();
  }
}

runMain(main, log);
