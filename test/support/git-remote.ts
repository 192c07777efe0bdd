import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';

const git = (cwd: string, ...args: string[]): string =>
  execFileSync('git', ['-c', 'user.name=test', '-c', 'user.email=test@example.com', '-c', 'init.defaultBranch=main', ...args], { cwd, encoding: 'utf8' }).trim();

/**
 * A bare repository at `<root>/<owner>/<repo>.git` standing in for GitHub: `main` holds `mainReadme`,
 * and `refs/pull/<n>/head` (as GitHub publishes PR heads) a commit whose README is `prReadme`.
 */
export function createRemoteRepository(root: string, owner: string, repo: string, files: { mainReadme: string; pulls?: Record<number, string> }): string {
  const bare = path.join(root, owner, `${repo}.git`);
  const work = path.join(root, 'work', owner, repo);
  fs.mkdirSync(work, { recursive: true });
  git(work, 'init', '--quiet');
  fs.writeFileSync(path.join(work, 'README.md'), files.mainReadme);
  git(work, 'add', 'README.md');
  git(work, 'commit', '--quiet', '-m', 'main');
  fs.mkdirSync(path.dirname(bare), { recursive: true });
  git(root, 'clone', '--quiet', '--bare', work, bare);
  for (const [number, readme] of Object.entries(files.pulls ?? {})) pushPullHead(root, owner, repo, Number(number), readme);
  return bare;
}

/** A new commit on the PR's head, as when its author pushes again. */
export function pushPullHead(root: string, owner: string, repo: string, number: number, readme: string): void {
  const work = path.join(root, 'work', owner, repo);
  const bare = path.join(root, owner, `${repo}.git`);
  git(work, 'checkout', '--quiet', '-B', `pr-${number}`, 'main');
  fs.writeFileSync(path.join(work, 'README.md'), readme);
  git(work, 'commit', '--quiet', '-am', `pr ${number}`);
  const sha = git(work, 'rev-parse', 'HEAD');
  git(work, 'push', '--quiet', '--force', bare, `HEAD:refs/pull/${number}/head`);
  git(work, 'checkout', '--quiet', 'main');
  void sha;
}
