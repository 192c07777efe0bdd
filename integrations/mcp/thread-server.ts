/**
 * The agent's MCP server for one task, as the agent's CLI starts it from its MCP configuration
 * (stdio, newline-delimited JSON-RPC, MCP spec 2025-06-18, SDK 1.32):
 *
 *   node --import <tsx loader> thread-server.ts --grant <file>
 *
 * It holds no provider credential and implements no tool: it relays every message the CLI sends to the
 * worker that runs the task (thread-endpoint.ts), as Streamable HTTP POSTs to the grant's loopback URL
 * with the grant's bearer token, and relays the answers back. The grant file (`{"url","token"}`, 0600,
 * outside the workspace) is read once at start; after the run ends the worker refuses the token.
 * Whatever fails on the way (the worker gone, the grant revoked) comes back as an answer: an `isError`
 * result for a tool call, a JSON-RPC error otherwise. Nothing is written to stdout but the protocol.
 */
import fs from 'node:fs';
import { StdioServerTransport } from '@modelcontextprotocol/sdk/server/stdio.js';
import { isJSONRPCRequest, isJSONRPCResultResponse, type JSONRPCMessage, type JSONRPCRequest } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';

const grantSchema = z.object({ url: z.url(), token: z.string().min(20) });
export type GrantFile = z.infer<typeof grantSchema>;

/** Reads and checks the grant file named by `--grant`. @throws Error naming what is wrong. */
export function readGrant(argv: readonly string[]): GrantFile {
  const index = argv.indexOf('--grant');
  const file = index === -1 ? undefined : argv[index + 1];
  if (file === undefined) throw new Error('usage: thread-server --grant <file>');
  const parsed = grantSchema.safeParse(JSON.parse(fs.readFileSync(file, 'utf8')));
  if (!parsed.success) throw new Error(`${file} is not a grant file: ${parsed.error.issues.map((issue) => issue.path.join('.')).join(', ')}`);
  return parsed.data;
}

/** Relays between a stdio transport and the worker's endpoint until stdin ends. */
export async function relay(grant: GrantFile, stdio = new StdioServerTransport()): Promise<void> {
  let protocolVersion: string | undefined;
  const headers = (): Record<string, string> => ({
    'content-type': 'application/json',
    accept: 'application/json, text/event-stream',
    authorization: `Bearer ${grant.token}`,
    ...(protocolVersion === undefined ? {} : { 'mcp-protocol-version': protocolVersion }),
  });

  async function forward(message: JSONRPCMessage): Promise<void> {
    let answers: JSONRPCMessage[];
    try {
      const response = await fetch(grant.url, { method: 'POST', headers: headers(), body: JSON.stringify(message) });
      if (response.status === 202) return;
      if (!response.ok) throw new Error(response.status === 401 ? "agent-bot refused the call: this task's run has ended" : `agent-bot's worker answered HTTP ${response.status}`);
      const body: unknown = await response.json();
      answers = (Array.isArray(body) ? body : [body]) as JSONRPCMessage[];
    } catch (error) {
      if (isJSONRPCRequest(message)) await stdio.send(failure(message, error instanceof Error ? error.message : String(error)));
      return;
    }
    for (const answer of answers) {
      if (isJSONRPCRequest(message) && message.method === 'initialize' && isJSONRPCResultResponse(answer)) {
        const version = (answer.result as { protocolVersion?: unknown }).protocolVersion;
        if (typeof version === 'string') protocolVersion = version;
      }
      await stdio.send(answer);
    }
  }

  const ended = new Promise<void>((resolve) => {
    stdio.onclose = resolve;
    process.stdin.once('end', resolve);
  });
  // Only writing to stdout can fail here, when the CLI is gone: nothing left to answer.
  stdio.onmessage = (message) => void forward(message).catch((error: unknown) => process.stderr.write(`agent-bot thread server: ${String(error)}\n`));
  stdio.onerror = (error) => process.stderr.write(`agent-bot thread server: ${error.message}\n`);
  await stdio.start();
  await ended;
}

/** A failed relay as the CLI should see it: a tool call gets an `isError` result the model can read. */
function failure(request: JSONRPCRequest, message: string): JSONRPCMessage {
  if (request.method === 'tools/call') {
    return { jsonrpc: '2.0', id: request.id, result: { content: [{ type: 'text', text: message }], isError: true } };
  }
  return { jsonrpc: '2.0', id: request.id, error: { code: -32603, message } };
}

if (require.main === module) {
  relay(readGrant(process.argv.slice(2))).then(
    () => process.exit(0),
    (error: unknown) => {
      process.stderr.write(`agent-bot thread server: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
