import fs from 'node:fs';
import path from 'node:path';
import type { FolderFacts, JanitorFolderKind } from '../../contracts/janitor';
import { workspaceDepth } from '../agent/workspace';

/**
 * Where each kind of folder lives under the data dir, and how deep: a workspace's depth depends on its
 * provider (`github/<owner>/<repo>/<number>`, `<provider>/<encoded key>`: see workspaceDepth), a log is `<task id>`.
 */
const LAYOUT: Record<JanitorFolderKind, { root: string[]; depth: (firstSegment: string) => number }> = {
  workspace: { root: ['workspaces'], depth: workspaceDepth },
  log: { root: ['logs', 'tasks'], depth: () => 1 },
};

export function folderRoot(dataDir: string, kind: JanitorFolderKind): string {
  return path.join(path.resolve(dataDir), ...LAYOUT[kind].root);
}

/** The folders of one kind: every directory exactly as deep below its root as its layout says, as path segments. */
export async function listFolders(dataDir: string, kind: JanitorFolderKind): Promise<string[][]> {
  const found: string[][] = [];
  let level: string[][] = [[]];
  while (level.length > 0) {
    const next: string[][] = [];
    for (const segments of level) {
      const entries = await fs.promises.readdir(path.join(folderRoot(dataDir, kind), ...segments), { withFileTypes: true }).catch(missingAsEmpty);
      for (const entry of entries) {
        if (!entry.isDirectory()) continue;
        const child = [...segments, entry.name];
        if (child.length === LAYOUT[kind].depth(child[0]!)) found.push(child);
        else next.push(child);
      }
    }
    level = next;
  }
  return found;
}

/**
 * Apparent size of every file below `dir` (symlinks count as themselves, never followed) and the newest
 * modification time found, the folder's own included.
 */
export async function measureFolder(dir: string, onEntry: () => void = () => {}): Promise<FolderFacts> {
  let bytes = 0;
  let newest = 0;
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.pop() as string;
    const stat = await fs.promises.lstat(current).catch(() => undefined);
    if (stat === undefined) continue;
    onEntry();
    newest = Math.max(newest, stat.mtimeMs);
    if (!stat.isDirectory()) {
      bytes += stat.size;
      continue;
    }
    const names = await fs.promises.readdir(current).catch(missingAsEmpty);
    for (const name of names) pending.push(path.join(current, name));
  }
  return { path: dir, bytes, lastWriteAt: new Date(newest).toISOString() };
}

/**
 * The folder to delete, or why not: it must be a folder of the expected kind and depth inside the data
 * dir's `workspaces/` or `logs/tasks/`, with no symlink on the way (so nothing outside can be reached).
 */
export function guardRemovable(dataDir: string, kind: JanitorFolderKind, candidate: string): { path: string } | { refused: string } {
  const root = folderRoot(dataDir, kind);
  const resolved = path.resolve(candidate);
  const relative = path.relative(root, resolved);
  const segments = relative.split(path.sep);
  if (relative === '' || path.isAbsolute(relative) || segments.some((part) => part === '..' || part === '')) {
    return { refused: `${candidate} is not inside ${root}` };
  }
  if (segments.length !== LAYOUT[kind].depth(segments[0]!)) return { refused: `${candidate} is not a ${kind} folder of ${root}` };
  let realRoot: string;
  let realParent: string;
  try {
    realRoot = fs.realpathSync(root);
    realParent = fs.realpathSync(path.dirname(resolved));
  } catch {
    return { refused: `${candidate} no longer exists` };
  }
  if (realParent !== path.join(realRoot, ...segments.slice(0, -1))) {
    return { refused: `${candidate} lies behind a symbolic link` };
  }
  return { path: path.join(realParent, segments[segments.length - 1] as string) };
}

function missingAsEmpty(error: NodeJS.ErrnoException): never[] {
  if (error.code === 'ENOENT' || error.code === 'ENOTDIR') return [];
  throw error;
}
