import { execFileSync, spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { isProcessAlive, stopProcess } from './processes';
import { POSTGRES_MAJOR } from './versions';

/** Debian's layout: one folder per installed major version (`apt-get install postgresql`). */
const DEBIAN_POSTGRES_ROOT = '/usr/lib/postgresql';

export class PostgresError extends Error {
  override name = 'PostgresError';
}

/**
 * The folder holding `initdb`, `postgres` and `pg_isready`: `explicit` when given, else Debian's
 * `/usr/lib/postgresql/<POSTGRES_MAJOR>/bin`, else the newest other major installed there.
 * @throws PostgresError when none is installed, saying how to install one.
 */
export function findPostgresBin(explicit?: string): string {
  const candidates: string[] = [];
  if (explicit !== undefined) {
    candidates.push(explicit);
  } else {
    candidates.push(path.join(DEBIAN_POSTGRES_ROOT, String(POSTGRES_MAJOR), 'bin'));
    const majors = fs.existsSync(DEBIAN_POSTGRES_ROOT) ? fs.readdirSync(DEBIAN_POSTGRES_ROOT).filter((name) => /^\d+$/.test(name)) : [];
    for (const major of majors.sort((a, b) => Number(b) - Number(a))) candidates.push(path.join(DEBIAN_POSTGRES_ROOT, major, 'bin'));
  }
  const found = candidates.find((dir) => ['initdb', 'postgres', 'pg_isready'].every((tool) => isExecutable(path.join(dir, tool))));
  if (found === undefined) {
    throw new PostgresError(
      `no PostgreSQL server found (looked in ${candidates.join(', ')}). Install Debian's package ` +
        '(`apt-get install -y postgresql`), point TEMPORAL_CLUSTER_POSTGRES_BIN at a folder with initdb and postgres, ' +
        'or give an existing database with TEMPORAL_POSTGRES_URL.',
    );
  }
  return found;
}

export interface OwnPostgresOptions {
  /** Folder with initdb, postgres and pg_isready (see findPostgresBin). */
  binDir: string;
  /** The database cluster's folder; created and initialised (`initdb`) when it holds none. */
  dataDir: string;
  /** TCP port on 127.0.0.1. */
  port: number;
  /** The superuser initdb creates; Temporal connects as it (trust authentication, 127.0.0.1 only). */
  user: string;
  /** Where the server's own output goes (appended). */
  logFile: string;
  /** Keep running after this process exits (`--detach`); otherwise the caller stops it. */
  detached: boolean;
  log: (line: string) => void;
}

export interface RunningPostgres {
  pid: number;
  /** False when an instance on this data dir was already running and is reused. */
  startedHere: boolean;
}

/**
 * Starts (or finds running) a PostgreSQL of our own on `dataDir`, listening on 127.0.0.1 only, and waits
 * until it accepts connections (up to 60 s). Run as root, initdb and postgres run as the `postgres` user,
 * which PostgreSQL requires; the data dir is handed to that user. `postgres` is started directly rather
 * than through `pg_ctl`, which would pass its options through a shell.
 * @throws PostgresError when initdb fails, the server exits during start-up, or it does not get ready.
 */
export async function startOwnPostgres(options: OwnPostgresOptions): Promise<RunningPostgres> {
  const running = postgresPid(options.dataDir);
  if (running !== undefined) {
    await waitUntilAccepting(options, () => !isProcessAlive(running));
    return { pid: running, startedHere: false };
  }
  const owner = postgresOwner();
  initDatabaseCluster(options, owner);
  const socketDir = path.join(path.dirname(options.dataDir), 'run');
  fs.mkdirSync(socketDir, { recursive: true, mode: 0o755 });
  if (owner !== undefined) fs.chownSync(socketDir, owner.uid, owner.gid);
  // A Unix socket path is limited to 107 bytes: with a deep data dir, listen on TCP only.
  const socketArg = path.join(socketDir, `.s.PGSQL.${options.port}`).length < 100 ? socketDir : '';
  const args = ['-D', options.dataDir, '-p', String(options.port), '-c', 'listen_addresses=127.0.0.1', '-c', `unix_socket_directories=${socketArg}`];
  const logFd = fs.openSync(options.logFile, 'a');
  const child = spawn(path.join(options.binDir, 'postgres'), args, {
    stdio: ['ignore', logFd, logFd],
    // Its own process group: Ctrl-C on the cluster script reaches the script, which stops the server first.
    detached: true,
    ...(owner === undefined ? {} : { uid: owner.uid, gid: owner.gid }),
  });
  fs.closeSync(logFd);
  let exited = false;
  child.once('exit', () => (exited = true));
  child.once('error', () => (exited = true));
  if (options.detached) child.unref();
  const pid = child.pid;
  if (pid === undefined) throw new PostgresError(`could not start ${path.join(options.binDir, 'postgres')}; see ${options.logFile}`);
  options.log(`PostgreSQL ${options.binDir.split(path.sep).at(-2) ?? ''} starting on 127.0.0.1:${options.port} (data in ${options.dataDir})`);
  try {
    await waitUntilAccepting(options, () => exited);
  } catch (error) {
    child.kill('SIGKILL');
    throw error;
  }
  return { pid, startedHere: true };
}

/**
 * Stops the PostgreSQL running on `dataDir` with a fast shutdown (SIGINT: open sessions are cut, nothing
 * committed is lost), waiting up to 30 s. Resolves at once when none runs.
 */
export async function stopOwnPostgres(dataDir: string): Promise<void> {
  const pid = postgresPid(dataDir);
  if (pid === undefined) return;
  await stopProcess(pid, { signal: 'SIGINT', graceMs: 30_000 });
}

/** The postmaster's pid from `postmaster.pid`, when that process is alive. */
export function postgresPid(dataDir: string): number | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dataDir, 'postmaster.pid'), 'utf8');
  } catch {
    return undefined;
  }
  const pid = Number(text.split('\n')[0]);
  return Number.isInteger(pid) && pid > 0 && isProcessAlive(pid, 'postgres') ? pid : undefined;
}

function initDatabaseCluster(options: OwnPostgresOptions, owner: { uid: number; gid: number } | undefined): void {
  if (owner !== undefined) assertReachable(path.dirname(options.dataDir), owner.uid);
  if (fs.existsSync(path.join(options.dataDir, 'PG_VERSION'))) return;
  fs.mkdirSync(options.dataDir, { recursive: true, mode: 0o700 });
  if (owner !== undefined) fs.chownSync(options.dataDir, owner.uid, owner.gid);
  options.log(`initialising a PostgreSQL database cluster in ${options.dataDir}`);
  const result = spawnSync(
    path.join(options.binDir, 'initdb'),
    ['-D', options.dataDir, '-U', options.user, '-A', 'trust', '-E', 'UTF8', '--no-locale'],
    { encoding: 'utf8', ...(owner === undefined ? {} : { uid: owner.uid, gid: owner.gid }) },
  );
  fs.appendFileSync(options.logFile, `${result.stdout}${result.stderr}`);
  if (result.status !== 0) {
    throw new PostgresError(`initdb failed (exit ${String(result.status ?? result.signal)}): ${result.stderr.trim() || result.error?.message}; see ${options.logFile}`);
  }
}

async function waitUntilAccepting(options: OwnPostgresOptions, hasExited: () => boolean, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (hasExited()) throw new PostgresError(`PostgreSQL exited during start-up; see ${options.logFile}`);
    const probe = spawnSync(path.join(options.binDir, 'pg_isready'), ['-q', '-h', '127.0.0.1', '-p', String(options.port), '-U', options.user, '-d', 'postgres']);
    if (probe.status === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  throw new PostgresError(`PostgreSQL on 127.0.0.1:${options.port} did not accept connections within ${timeoutMs / 1000} s; see ${options.logFile}`);
}

/** As root, the `postgres` user's ids (PostgreSQL refuses to run as root); otherwise undefined: run as ourselves. */
function postgresOwner(): { uid: number; gid: number } | undefined {
  if (process.getuid?.() !== 0) return undefined;
  try {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }).trim());
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }).trim());
    return { uid, gid };
  } catch {
    throw new PostgresError('running as root, PostgreSQL must run as another user, and there is no `postgres` user (Debian\'s package creates it)');
  }
}

/**
 * Run as root, PostgreSQL runs as `postgres`, which must be able to walk down to its data dir.
 * @throws PostgresError naming the first folder on the way that it may not enter.
 */
function assertReachable(dir: string, uid: number): void {
  for (let current = path.resolve(dir); ; current = path.dirname(current)) {
    const stat = fs.statSync(current);
    if (stat.uid !== uid && (stat.mode & 0o001) === 0) {
      throw new PostgresError(
        `PostgreSQL runs as the postgres user, which may not enter ${current} (mode ${(stat.mode & 0o777).toString(8)}): ` +
          'choose an AGENT_BOT_DATA_DIR it can reach, or give a database with TEMPORAL_POSTGRES_URL',
      );
    }
    if (current === path.dirname(current)) return;
  }
}

function isExecutable(file: string): boolean {
  try {
    fs.accessSync(file, fs.constants.X_OK);
    return true;
  } catch {
    return false;
  }
}
