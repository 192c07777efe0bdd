import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { RunnerMcp } from '../../activities/agent/agent-mcp';
import { runners, type RunnerArgs } from '../../activities/agent/runners';
import { ConfigError, loadConfig } from '../../config/load';
import type { McpServerSpec } from '../../config/mcp-servers';
import { codexMcpArgs, threadServerSpec } from '../../integrations/mcp/agent-mcp-config';

const CODEX = path.resolve(__dirname, '..', '..', 'node_modules', '.bin', 'codex');

function opts(prompt: string, extraArgs: string[], more: Partial<RunnerArgs> = {}): RunnerArgs {
  return { prompt, extraArgs, sessionId: undefined, maxTurns: undefined, maxBudgetUsd: undefined, promptOnStdin: false, mode: 'execute', ...more };
}

const SERVERS: Record<string, McpServerSpec> = {
  'agent-bot': threadServerSpec('/data/logs/tasks/gh-1/mcp-grant.json'),
  docs: { command: 'npx', args: ['-y', '@acme/docs-mcp'], env: { DOCS_KEY: 'k "quoted"' } },
  search: { url: 'https://mcp.example.com/mcp', headers: { 'X-Team': 'eng' } },
};
const MCP: RunnerMcp = { configFile: '/data/logs/tasks/gh-1/mcp.json', servers: SERVERS, allowedTools: ['mcp__agent-bot'] };

describe('the agent CLIs are told of the run\'s MCP servers', () => {
  it('claude: --mcp-config <file> and --allowedTools mcp__agent-bot, the prompt still right after -p', () => {
    const args = runners.claude.args(opts('the prompt', ['--allowedTools', 'Bash'], { mcp: MCP, sessionId: 's1' }));
    assert.equal(args[args.indexOf('-p') + 1], 'the prompt');
    assert.equal(args[args.indexOf('--mcp-config') + 1], MCP.configFile);
    assert.equal(args[args.indexOf('--allowedTools') + 1], 'mcp__agent-bot');
    // Both take several values: the next argument is a flag, never a bare value they would swallow.
    assert.match(args[args.indexOf('--allowedTools') + 2] ?? '', /^--/);
    assert.deepEqual(args.slice(-2), ['--allowedTools', 'Bash']);
    const none = runners.claude.args(opts('p', []));
    assert.equal(none.includes('--mcp-config'), false);
    assert.equal(none.includes('--allowedTools'), false);
  });

  it('claude: only the user\'s servers, then no tool is allowed on their behalf', () => {
    const args = runners.claude.args(opts('p', [], { mcp: { ...MCP, allowedTools: [] } }));
    assert.ok(args.includes('--mcp-config'));
    assert.equal(args.includes('--allowedTools'), false);
  });

  it('codex: -c mcp_servers.<name>.* overrides before the prompt, which stays last', () => {
    const args = runners.codex.args(opts('the prompt', [], { mcp: MCP }));
    assert.equal(args.at(-1), 'the prompt');
    assert.ok(args.includes(`mcp_servers.docs.env={"DOCS_KEY" = "k \\"quoted\\""}`));
    assert.ok(args.includes('mcp_servers.search.url="https://mcp.example.com/mcp"'));
  });

  it('codex 0.169 reads the overrides as the servers they describe', () => {
    const home = fs.mkdtempSync(path.join(os.tmpdir(), 'codex-home-'));
    try {
      const listed = JSON.parse(execFileSync(CODEX, ['mcp', 'list', '--json', ...codexMcpArgs(SERVERS)], { env: { PATH: process.env.PATH, CODEX_HOME: home }, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] })) as {
        name: string;
        transport: { type: string; command?: string; args?: string[]; env?: Record<string, string>; url?: string; http_headers?: Record<string, string> };
      }[];
      const byName = new Map(listed.map((server) => [server.name, server.transport]));
      const ours = SERVERS['agent-bot'] as { command: string; args: string[] };
      assert.deepEqual(byName.get('agent-bot'), { ...byName.get('agent-bot'), type: 'stdio', command: ours.command, args: ours.args });
      assert.deepEqual(byName.get('docs')?.env, { DOCS_KEY: 'k "quoted"' });
      assert.equal(byName.get('search')?.type, 'streamable_http');
      assert.equal(byName.get('search')?.url, 'https://mcp.example.com/mcp');
      assert.deepEqual(byName.get('search')?.http_headers, { 'X-Team': 'eng' });
    } finally {
      fs.rmSync(home, { recursive: true, force: true });
    }
  });

  it('cursor and command agents get no MCP flags (command agents read AGENT_BOT_MCP_CONFIG)', () => {
    assert.deepEqual(runners.cursor.args(opts('p', [], { mcp: MCP })), runners.cursor.args(opts('p', [])));
    assert.deepEqual(runners.command.args(opts('p', [], { mcp: MCP })), ['p']);
  });
});

describe('AGENT_MCP and AGENT_MCP_SERVERS', () => {
  let dir: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-bot-config-'));
  });
  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('turns agent-bot\'s server on by default, and adds no server of the user\'s', () => {
    const config = loadConfig({}, dir);
    assert.equal(config.AGENT_MCP, true);
    assert.deepEqual(config.AGENT_MCP_SERVERS, {});
    assert.equal(loadConfig({ AGENT_MCP: 'false' }, dir).AGENT_MCP, false);
  });

  it('reads the user\'s servers as JSON, filling in the defaults', () => {
    const config = loadConfig({ AGENT_MCP_SERVERS: '{"docs": {"command": "docs-mcp"}, "search": {"url": "https://mcp.example.com/mcp"}}' }, dir);
    assert.deepEqual(config.AGENT_MCP_SERVERS, { docs: { command: 'docs-mcp', args: [], env: {} }, search: { url: 'https://mcp.example.com/mcp', headers: {} } });
  });

  it('reads them as a YAML mapping in the config file', () => {
    fs.writeFileSync(path.join(dir, 'agent-bot.yaml'), 'AGENT_MCP_SERVERS:\n  docs:\n    command: docs-mcp\n    args: [--stdio]\n');
    assert.deepEqual(loadConfig({}, dir).AGENT_MCP_SERVERS, { docs: { command: 'docs-mcp', args: ['--stdio'], env: {} } });
  });

  const invalid: [string, RegExp][] = [
    ['[1]', /expected a JSON object of server name/],
    ['{"docs": {"args": ["x"]}}', /expected a JSON object of server name/],
    ['{"docs": {"command": "x", "url": "https://a.example"}}', /expected a JSON object of server name/],
    ['{"docs": {"url": "file:///etc/passwd"}}', /expected a JSON object of server name/],
    ['{"agent-bot": {"command": "x"}}', /"agent-bot" is agent-bot's own/],
    ['{"my docs": {"command": "x"}}', /server name "my docs": use letters, digits/],
  ];
  for (const [value, message] of invalid) {
    it(`refuses AGENT_MCP_SERVERS=${value}, naming the key`, () => {
      assert.throws(() => loadConfig({ AGENT_MCP_SERVERS: value }, dir), (error: unknown) => error instanceof ConfigError && /AGENT_MCP_SERVERS/.test(error.message) && message.test(error.message));
    });
  }
});
