import type { TaskThreadDeps } from '../activities/task-thread-activities';
import type { Config } from '../config/load';
import type { GithubClient } from '../integrations/github/client';

/** How tasks show up on their thread, from the process config. */
export function taskThreadDeps(config: Config, github: GithubClient): TaskThreadDeps {
  return {
    github,
    uiUrl: config.TEMPORAL_UI_URL,
    namespace: config.TEMPORAL_NAMESPACE,
    checkRuns: config.GITHUB_CHECK_RUNS,
    checkRunName: 'agent-bot',
    settings: {
      approvalTimeoutMs: config.APPROVAL_TIMEOUT,
      approvalReminderMs: Math.min(config.APPROVAL_REMINDER, config.APPROVAL_TIMEOUT),
      progressCommentIntervalMs: config.PROGRESS_COMMENT_INTERVAL,
      mention: config.AGENT_BOT_MENTION,
    },
  };
}
