import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { HeldLease } from '../../activities/agent/lease';
import { spawnAgentProcess, type SpawnedAgent } from '../../activities/agent/process-group';
import { AGENTS_DIR } from './harness';
import { waitFor } from './wait';

/** What test/fixtures/agents/family.js records once it and its grandchild run. */
export interface Family {
  agent: number;
  grandchild: number;
  pgid: number;
  /** The agent's open file descriptors: number → `readlink` of `/proc/self/fd/<n>`. */
  fds: Record<string, string>;
}

/** A new, empty path for family.js's pid file. */
export function familyPidFile(): string {
  return path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'agent-bot-family-')), 'family.json');
}

/** Waits until family.js has written `file`. */
export function familyOf(file: string): Promise<Family> {
  return waitFor('the agent and its grandchild to run', () => fs.existsSync(file) && (JSON.parse(fs.readFileSync(file, 'utf8')) as Family));
}

/**
 * family.js started the way the worker starts an agent (under the supervisor); resolves once the agent
 * and its grandchild run, with every pid of the group and what the agent prints on stdout so far.
 */
export async function startFamily(options: { env?: Record<string, string>; lease?: HeldLease; killGraceMs?: number } = {}) {
  const pidFile = familyPidFile();
  const agent: SpawnedAgent = spawnAgentProcess(process.execPath, [path.join(AGENTS_DIR, 'family.js')], {
    cwd: os.tmpdir(),
    env: { PATH: process.env['PATH'] ?? '', FAMILY_PID_FILE: pidFile, ...options.env },
    killGraceMs: options.killGraceMs ?? 1_000,
    ...(options.lease === undefined ? {} : { lease: options.lease }),
  });
  const output = { text: '' };
  agent.child.stdout?.on('data', (chunk: Buffer) => (output.text += chunk.toString('utf8')));
  agent.child.stderr?.resume();
  const family = await familyOf(pidFile);
  return { agent, family, pids: [agent.child.pid!, family.agent, family.grandchild], output };
}
