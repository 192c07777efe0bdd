import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ConfigError, loadConfig } from '../../config/load';

function expectConfigError(run: () => unknown, key: string): ConfigError {
  let caught: unknown;
  try {
    run();
  } catch (error) {
    caught = error;
  }
  assert.ok(caught instanceof ConfigError, `expected a ConfigError, got ${String(caught)}`);
  assert.match(caught.message, new RegExp(key), `message should name ${key}: ${caught.message}`);
  return caught;
}

describe('loadConfig', () => {
  let dir: string;

  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'agent-bot-config-'));
  });

  afterEach(() => {
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('fills in the documented defaults from an empty environment', () => {
    const config = loadConfig({}, dir);
    assert.equal(config.GATEWAY_PORT, 8080);
    assert.equal(config.TEMPORAL_DEV_PORT, 7233);
    assert.equal(config.TEMPORAL_UI_PORT, 8233);
    assert.equal(config.AGENT_BOT_MENTION, '@agent');
    assert.equal(config.GITHUB_API_URL, 'https://api.github.com');
    assert.equal(config.AGENT_KIND, 'claude');
    assert.equal(config.AGENT_COMMAND, 'claude');
    assert.equal(config.AGENT_TIMEOUT, 30 * 60 * 1000);
    assert.deepEqual(config.GITHUB_WEBHOOK_SECRET, []);
    assert.deepEqual(config.AGENT_ARGS, []);
  });

  it('derives TEMPORAL_UI_URL from TEMPORAL_UI_PORT', () => {
    assert.equal(loadConfig({}, dir).TEMPORAL_UI_URL, 'http://localhost:8233');
    assert.equal(loadConfig({ TEMPORAL_UI_PORT: '9999' }, dir).TEMPORAL_UI_URL, 'http://localhost:9999');
  });

  it('drops trailing slashes from an explicit TEMPORAL_UI_URL', () => {
    assert.equal(loadConfig({ TEMPORAL_UI_URL: 'https://temporal.example.com/' }, dir).TEMPORAL_UI_URL, 'https://temporal.example.com');
  });

  it('resolves the data directory against cwd', () => {
    assert.equal(loadConfig({}, dir).AGENT_BOT_DATA_DIR, path.join(dir, 'data'));
    assert.equal(loadConfig({ AGENT_BOT_DATA_DIR: 'state/x' }, dir).AGENT_BOT_DATA_DIR, path.join(dir, 'state', 'x'));
  });

  it('reads numbers and durations from environment strings', () => {
    const config = loadConfig({ GATEWAY_PORT: '3000', AGENT_TIMEOUT: '2h', AGENT_KILL_GRACE: '1500' }, dir);
    assert.equal(config.GATEWAY_PORT, 3000);
    assert.equal(config.AGENT_TIMEOUT, 2 * 60 * 60 * 1000);
    assert.equal(config.AGENT_KILL_GRACE, 1500);
  });

  it('splits GITHUB_WEBHOOK_SECRET on commas into a rotation list', () => {
    assert.deepEqual(loadConfig({ GITHUB_WEBHOOK_SECRET: 'a,b' }, dir).GITHUB_WEBHOOK_SECRET, ['a', 'b']);
  });

  it('splits GITHUB_ALLOWED_USERS on commas, trimming and dropping empty items', () => {
    assert.deepEqual(loadConfig({ GITHUB_ALLOWED_USERS: ' alice , bob,,' }, dir).GITHUB_ALLOWED_USERS, ['alice', 'bob']);
  });

  it('reads AGENT_ARGS as a JSON array of strings', () => {
    assert.deepEqual(loadConfig({ AGENT_ARGS: '["--model","opus"]' }, dir).AGENT_ARGS, ['--model', 'opus']);
  });

  const invalid: [key: string, value: string][] = [
    ['GATEWAY_PORT', 'abc'],
    ['GATEWAY_PORT', '70000'],
    ['AGENT_TIMEOUT', 'soon'],
    ['AGENT_KIND', 'gpt'],
    ['GITHUB_API_URL', 'not a url'],
    ['AGENT_ARGS', 'not json'],
    ['AGENT_ARGS', '[1,2]'],
    ['AGENT_BOT_MENTION', 'agent'],
  ];
  for (const [key, value] of invalid) {
    it(`throws a ConfigError naming ${key} for ${key}=${JSON.stringify(value)}`, () => {
      expectConfigError(() => loadConfig({ [key]: value }, dir), key);
    });
  }

  it('names every bad key in one error', () => {
    const error = expectConfigError(() => loadConfig({ GATEWAY_PORT: 'abc', AGENT_TIMEOUT: 'soon' }, dir), 'GATEWAY_PORT');
    assert.match(error.message, /AGENT_TIMEOUT/);
  });

  it('requires AGENT_COMMAND when AGENT_KIND is command', () => {
    expectConfigError(() => loadConfig({ AGENT_KIND: 'command' }, dir), 'AGENT_COMMAND');
  });

  it('accepts AGENT_KIND=command with AGENT_COMMAND', () => {
    const config = loadConfig({ AGENT_KIND: 'command', AGENT_COMMAND: './my-agent.sh' }, dir);
    assert.equal(config.AGENT_COMMAND, './my-agent.sh');
  });

  describe('YAML file', () => {
    it('reads keys from agent-bot.yaml in cwd', () => {
      fs.writeFileSync(path.join(dir, 'agent-bot.yaml'), 'GATEWAY_PORT: 9100\nAGENT_BOT_MENTION: "@helper"\nAGENT_TIMEOUT: 5m\n');
      const config = loadConfig({}, dir);
      assert.equal(config.GATEWAY_PORT, 9100);
      assert.equal(config.AGENT_BOT_MENTION, '@helper');
      assert.equal(config.AGENT_TIMEOUT, 5 * 60 * 1000);
    });

    it('lets the environment override a key set in the file', () => {
      fs.writeFileSync(path.join(dir, 'agent-bot.yaml'), 'GATEWAY_PORT: 9100\nAGENT_BOT_MENTION: "@helper"\n');
      const config = loadConfig({ GATEWAY_PORT: '9200' }, dir);
      assert.equal(config.GATEWAY_PORT, 9200);
      assert.equal(config.AGENT_BOT_MENTION, '@helper');
    });

    it('reads the file named by AGENT_BOT_CONFIG, relative to cwd', () => {
      fs.mkdirSync(path.join(dir, 'etc'));
      fs.writeFileSync(path.join(dir, 'etc', 'bot.yml'), 'GITHUB_API_URL: https://ghe.example.com/api/v3\n');
      const config = loadConfig({ AGENT_BOT_CONFIG: 'etc/bot.yml' }, dir);
      assert.equal(config.GITHUB_API_URL, 'https://ghe.example.com/api/v3');
    });

    it('accepts a YAML list for AGENT_ARGS', () => {
      fs.writeFileSync(path.join(dir, 'agent-bot.yaml'), 'AGENT_ARGS:\n  - --model\n  - opus\n  - --max-turns\n  - 10\n');
      assert.deepEqual(loadConfig({}, dir).AGENT_ARGS, ['--model', 'opus', '--max-turns', '10']);
    });

    it('accepts a YAML list for a comma-separated key', () => {
      fs.writeFileSync(path.join(dir, 'agent-bot.yaml'), 'GITHUB_ALLOWED_USERS:\n  - alice\n  - bob\n');
      assert.deepEqual(loadConfig({}, dir).GITHUB_ALLOWED_USERS, ['alice', 'bob']);
    });

    it('treats an empty file as no settings', () => {
      fs.writeFileSync(path.join(dir, 'agent-bot.yaml'), '');
      assert.equal(loadConfig({}, dir).GATEWAY_PORT, 8080);
    });

    it('reports a bad value read from the file under its key', () => {
      fs.writeFileSync(path.join(dir, 'agent-bot.yaml'), 'AGENT_KIND: gpt\n');
      expectConfigError(() => loadConfig({}, dir), 'AGENT_KIND');
    });

    it('throws a ConfigError when AGENT_BOT_CONFIG names a missing file', () => {
      expectConfigError(() => loadConfig({ AGENT_BOT_CONFIG: 'missing.yaml' }, dir), 'AGENT_BOT_CONFIG');
    });

    it('throws a ConfigError for a file that is not YAML', () => {
      fs.writeFileSync(path.join(dir, 'agent-bot.yaml'), 'GATEWAY_PORT: [unclosed\n');
      expectConfigError(() => loadConfig({}, dir), 'not valid YAML');
    });

    it('throws a ConfigError for a file that is a list instead of a mapping', () => {
      fs.writeFileSync(path.join(dir, 'agent-bot.yaml'), '- GATEWAY_PORT\n');
      expectConfigError(() => loadConfig({}, dir), 'mapping');
    });
  });
});
