import type { Config } from '../config/load';
import { createGithubClient, type GithubClient } from '../integrations/github/client';
import { createGithubReader } from '../integrations/github/reader';
import { createGithubTransport, GITHUB_WRITE_WINDOWS } from '../integrations/github/transport';
import { ThreadReaders } from '../integrations/thread-reader';
import { Transports } from '../integrations/transport';
import { WriteBudgets } from '../integrations/write-budget';

/** The provider clients and transports of one worker process, built once from its config. */
export interface ProviderKit {
  transports: Transports;
  /** What the agent's thread tools read, built on the same clients as the transports. */
  readers: ThreadReaders;
  github: GithubClient;
  /** One per credential, shared by every task of the process. */
  budgets: Record<string, WriteBudgets>;
}

/** Least time between two in-progress edits of a GitHub check run: its summary is a side view. */
const CHECK_RUN_EDIT_INTERVAL_MS = 5 * 60_000;

/**
 * Every provider's transport for this process. GitHub is always there (its token may be unset: then
 * only public reads work); the other providers join when their settings are present.
 */
export function createProviderKit(config: Config): ProviderKit {
  const github = createGithubClient({ token: config.GITHUB_TOKEN, apiUrl: config.GITHUB_API_URL });
  const githubBudgets = new WriteBudgets({ windows: GITHUB_WRITE_WINDOWS, urgentReserve: 0.25, maxWaitMs: 30_000 });
  const transports = [
    createGithubTransport({ client: github, budgets: githubBudgets, checkRuns: config.GITHUB_CHECK_RUNS, checkRunName: 'agent-bot', checkRunEditIntervalMs: CHECK_RUN_EDIT_INTERVAL_MS }),
  ];
  return { transports: new Transports(transports), readers: new ThreadReaders([createGithubReader(github)]), github, budgets: { github: githubBudgets } };
}
