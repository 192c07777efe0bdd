import YAML from 'yaml';
import { z } from 'zod';

/** A server the agent's CLI starts itself (stdio): the executable, its arguments and extra environment. */
const stdioServer = z.strictObject({
  command: z.string().min(1),
  args: z.array(z.string()).default([]),
  env: z.record(z.string(), z.string()).default({}),
});

/** A server the agent's CLI reaches over Streamable HTTP. */
const httpServer = z.strictObject({
  url: z.url({ protocol: /^https?$/ }),
  headers: z.record(z.string(), z.string()).default({}),
});

export const mcpServerSpec = z.union([stdioServer, httpServer]);

/** One MCP server for the agent's CLI: `{command, args, env}` (stdio) or `{url, headers}` (HTTP). */
export type McpServerSpec = z.infer<typeof mcpServerSpec>;

/** The name agent-bot's own thread server takes: a user's server may not replace it. */
export const RESERVED_MCP_SERVER = 'agent-bot';

/** What every CLI accepts as a server name (Claude Code names its tools `mcp__<name>__<tool>`). */
const SERVER_NAME = /^[A-Za-z0-9_-]{1,40}$/;

/**
 * `AGENT_MCP_SERVERS`: the user's own MCP servers, added to every agent run, as a JSON object (or YAML
 * mapping in the config file) of name to server, e.g.
 * `{"docs": {"command": "npx", "args": ["-y", "@acme/docs-mcp"]}, "search": {"url": "https://mcp.example.com/mcp"}}`.
 */
export const mcpServers = z
  .string()
  .optional()
  .transform((value, ctx): Record<string, McpServerSpec> => {
    if (value === undefined || value.trim() === '') return {};
    let parsed: unknown;
    try {
      parsed = YAML.parse(value);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `expected a JSON object of server name to {command, args, env} or {url, headers}: ${(error as Error).message}` });
      return z.NEVER;
    }
    const result = z.record(z.string(), mcpServerSpec).safeParse(parsed);
    if (!result.success) {
      const problems = result.error.issues.map((issue) => `${issue.path.join('.') || '(value)'}: ${issue.message}`);
      ctx.addIssue({ code: 'custom', message: `expected a JSON object of server name to {command, args, env} or {url, headers} (${problems.join('; ')})` });
      return z.NEVER;
    }
    for (const name of Object.keys(result.data)) {
      if (!SERVER_NAME.test(name)) ctx.addIssue({ code: 'custom', message: `server name "${name}": use letters, digits, - and _ (at most 40)` });
      if (name === RESERVED_MCP_SERVER) ctx.addIssue({ code: 'custom', message: `server name "${name}" is agent-bot's own (AGENT_MCP turns it off)` });
    }
    return result.data;
  });
