import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import YAML from 'yaml';
import { configSchema, type RawConfig } from './schema';

/** Settings after defaults that depend on other settings are filled in. */
export interface Config extends RawConfig {
  AGENT_COMMAND: string;
  AGENT_WORKER_ID: string;
  TEMPORAL_UI_URL: string;
  AGENT_BOT_DATA_DIR: string;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

const DEFAULT_AGENT_COMMAND: Record<RawConfig['AGENT_KIND'], string | undefined> = {
  claude: 'claude',
  codex: 'codex',
  cursor: 'cursor-agent',
  command: undefined,
};

/**
 * Parses the environment, over the optional YAML file named by `AGENT_BOT_CONFIG` (or `./agent-bot.yaml`
 * when it exists). The environment wins. Throws `ConfigError` naming every bad key.
 */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Config {
  const fromFile = readConfigFile(env['AGENT_BOT_CONFIG'], cwd);
  const merged: Record<string, unknown> = { ...fromFile };
  for (const key of Object.keys(configSchema.shape)) {
    const value = env[key];
    // `KEY=` in a .env file means "not set", not "set to nothing".
    if (value !== undefined && value.trim() !== '') merged[key] = value;
  }
  const parsed = configSchema.safeParse(merged);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || '(config)'}: ${issue.message}`);
    throw new ConfigError(`invalid configuration:\n  ${problems.join('\n  ')}`);
  }
  const raw = parsed.data;
  const agentCommand = raw.AGENT_COMMAND ?? DEFAULT_AGENT_COMMAND[raw.AGENT_KIND];
  if (agentCommand === undefined) {
    throw new ConfigError(`invalid configuration:\n  AGENT_COMMAND: required when AGENT_KIND is "${raw.AGENT_KIND}"`);
  }
  const dataDir = path.resolve(cwd, raw.AGENT_BOT_DATA_DIR);
  return {
    ...raw,
    AGENT_COMMAND: agentCommand,
    AGENT_BOT_DATA_DIR: dataDir,
    AGENT_WORKER_ID: raw.AGENT_WORKER_ID ?? defaultWorkerId(dataDir),
    TEMPORAL_UI_URL: (raw.TEMPORAL_UI_URL ?? `http://localhost:${raw.TEMPORAL_UI_PORT}`).replace(/\/+$/, ''),
  };
}

/** `<host>-<8 hex of the data dir>`: stable across restarts of one worker, different for two on one host. */
function defaultWorkerId(dataDir: string): string {
  const host = os.hostname().replace(/[^A-Za-z0-9.-]/g, '-').replace(/^[^A-Za-z0-9]+/, '').slice(0, 60) || 'worker';
  return `${host}-${createHash('sha256').update(dataDir).digest('hex').slice(0, 8)}`;
}

function readConfigFile(explicitPath: string | undefined, cwd: string): Record<string, unknown> {
  const file = path.resolve(cwd, explicitPath ?? 'agent-bot.yaml');
  if (!fs.existsSync(file)) {
    if (explicitPath !== undefined) throw new ConfigError(`AGENT_BOT_CONFIG: no such file ${file}`);
    return {};
  }
  let parsed: unknown;
  try {
    parsed = YAML.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    throw new ConfigError(`AGENT_BOT_CONFIG: ${file} is not valid YAML: ${(error as Error).message}`);
  }
  if (parsed === null || parsed === undefined) return {};
  if (typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new ConfigError(`AGENT_BOT_CONFIG: ${file} must be a mapping of KEY: value`);
  }
  return Object.fromEntries(
    Object.entries(parsed).map(([key, value]) => [key, toEnvValue(key, value)]),
  );
}

/** YAML values as the environment would write them, so one schema reads both. */
function toEnvValue(key: string, value: unknown): unknown {
  // Mappings (AGENT_PROJECTS, AGENT_COMMANDS, SLACK_CHANNEL_REPOS, ...) are JSON in the environment.
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) return JSON.stringify(value);
  if (Array.isArray(value)) return key === 'AGENT_ARGS' ? JSON.stringify(value.map(String)) : value.map(String).join(',');
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return value;
}
