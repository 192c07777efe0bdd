import fs from 'node:fs';
import path from 'node:path';

/** The variable that carries the stand-in's API key, named by the provider's `env_key`. */
export const CODEX_API_KEY_VAR = 'STAND_IN_OPENAI_KEY';

/**
 * A CODEX_HOME whose config.toml selects a custom provider pointing at the stand-in: no retries (a 5xx
 * is otherwise retried 5 x 6 = 30 times, about 25 s), no plugin sync or analytics (they reach for
 * api.github.com and chatgpt.com), approval never, and a workspace-write sandbox (`codex exec resume`
 * has no --sandbox flag, so the mode lives in the config).
 */
export function writeCodexHome(dir: string, baseUrl: string): void {
  fs.mkdirSync(dir, { recursive: true });
  const config = [
    'model = "gpt-5.5"',
    'model_provider = "standin"',
    'approval_policy = "never"',
    'sandbox_mode = "workspace-write"',
    '',
    '[features]',
    'plugins = false',
    '',
    '[analytics]',
    'enabled = false',
    '',
    '[model_providers.standin]',
    'name = "OpenAI stand-in"',
    `base_url = ${JSON.stringify(baseUrl)}`,
    'wire_api = "responses"',
    `env_key = "${CODEX_API_KEY_VAR}"`,
    'request_max_retries = 0',
    'stream_max_retries = 0',
    'stream_idle_timeout_ms = 10000',
    '',
  ].join('\n');
  fs.writeFileSync(path.join(dir, 'config.toml'), config);
}
