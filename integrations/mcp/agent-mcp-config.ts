import path from 'node:path';
import { pathToFileURL } from 'node:url';
import type { McpServerSpec } from '../../config/mcp-servers';

/** The stdio front every run's CLI starts (see thread-server.ts). */
const THREAD_SERVER = path.join(__dirname, 'thread-server.ts');

/**
 * How the agent's CLI starts agent-bot's thread server: this Node with the tsx loader (an absolute URL:
 * the CLI starts it from the workspace, where `tsx` does not resolve) and the run's grant file. No
 * secret on the command line or in the environment: the token is in the 0600 grant file.
 */
export function threadServerSpec(grantFile: string): McpServerSpec {
  return { command: process.execPath, args: ['--import', pathToFileURL(require.resolve('tsx')).href, THREAD_SERVER, '--grant', grantFile], env: {} };
}

/**
 * Claude Code's `--mcp-config` file (checked with claude 2.1.197): `{"mcpServers": {name: {type: "stdio",
 * command, args, env} | {type: "http", url, headers}}}`.
 */
export function claudeMcpConfig(servers: Readonly<Record<string, McpServerSpec>>): { mcpServers: Record<string, Record<string, unknown>> } {
  const mcpServers = Object.fromEntries(
    Object.entries(servers).map(([name, spec]) => [name, 'url' in spec ? { type: 'http', url: spec.url, headers: spec.headers } : { type: 'stdio', command: spec.command, args: spec.args, env: spec.env }]),
  );
  return { mcpServers };
}

/**
 * Codex's `-c` overrides for the same servers (checked with `codex mcp list --json`, codex 0.169):
 * `mcp_servers.<name>.command` / `.args` / `.env` for stdio, `.url` / `.http_headers` for Streamable HTTP.
 * Values are TOML; JSON strings and arrays are valid TOML. Server names are bare keys (letters, digits,
 * `-`, `_`). Note that these values are on codex's command line: the thread server's carry no secret.
 */
export function codexMcpArgs(servers: Readonly<Record<string, McpServerSpec>>): string[] {
  const args: string[] = [];
  const set = (name: string, key: string, value: string): void => {
    args.push('-c', `mcp_servers.${name}.${key}=${value}`);
  };
  for (const [name, spec] of Object.entries(servers)) {
    if ('url' in spec) {
      set(name, 'url', JSON.stringify(spec.url));
      if (Object.keys(spec.headers).length > 0) set(name, 'http_headers', tomlTable(spec.headers));
    } else {
      set(name, 'command', JSON.stringify(spec.command));
      set(name, 'args', JSON.stringify(spec.args));
      if (Object.keys(spec.env).length > 0) set(name, 'env', tomlTable(spec.env));
    }
  }
  return args;
}

/** `{"KEY" = "value", ...}`: a TOML inline table of strings. */
function tomlTable(values: Readonly<Record<string, string>>): string {
  return `{${Object.entries(values).map(([key, value]) => `${JSON.stringify(key)} = ${JSON.stringify(value)}`).join(', ')}}`;
}
