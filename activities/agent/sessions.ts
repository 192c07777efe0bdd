import fs from 'node:fs';
import path from 'node:path';
import type { AgentKind } from './runners';

/**
 * Whether an agent CLI's session files are on this machine, where the agent about to run would look:
 * Claude Code keeps `<config dir>/projects/<project>/<session id>.jsonl` (CLAUDE_CONFIG_DIR, else
 * `~/.claude`), Codex `<CODEX_HOME>/sessions/<y>/<m>/<d>/rollout-…-<thread id>.jsonl` (else `~/.codex`).
 * `undefined` for a CLI whose sessions we cannot see (cursor) or that has none (command): then a resume
 * is attempted and a failure saying the session is gone starts a new one.
 */
export function sessionReachable(kind: AgentKind, sessionId: string, env: NodeJS.ProcessEnv): boolean | undefined {
  const home = env['HOME'] ?? '';
  switch (kind) {
    case 'claude': {
      const projects = path.join(env['CLAUDE_CONFIG_DIR'] ?? path.join(home, '.claude'), 'projects');
      return listDirs(projects).some((project) => fs.existsSync(path.join(projects, project, `${sessionId}.jsonl`)));
    }
    case 'codex':
      return findFile(path.join(env['CODEX_HOME'] ?? path.join(home, '.codex'), 'sessions'), (name) => name.endsWith(`${sessionId}.jsonl`), 4);
    default:
      return undefined;
  }
}

function listDirs(dir: string): string[] {
  try {
    return fs.readdirSync(dir, { withFileTypes: true }).filter((entry) => entry.isDirectory()).map((entry) => entry.name);
  } catch {
    return [];
  }
}

/** Whether a file matching `wanted` is in `dir` or up to `depth` levels below it. */
function findFile(dir: string, wanted: (name: string) => boolean, depth: number): boolean {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch {
    return false;
  }
  return entries.some((entry) => (entry.isFile() && wanted(entry.name)) || (entry.isDirectory() && depth > 0 && findFile(path.join(dir, entry.name), wanted, depth - 1)));
}
