import { Context } from '@temporalio/activity';
import type { Client } from '@temporalio/client';
import type { JanitorSurvey, RemovalRequest } from '../contracts/janitor';
import { removeJanitorFolders, type RemoveOutcome } from './janitor/remove';
import { surveyJanitor } from './janitor/survey';

export interface JanitorActivityDeps {
  client: Client;
  /** `AGENT_BOT_DATA_DIR`: its workspaces/ and logs/tasks/ are all the janitor may delete. */
  dataDir: string;
}

/** The janitor's side effects: look (survey), then delete what the workflow decided (remove). */
export function createJanitorActivities(deps: JanitorActivityDeps) {
  const beat = (details: Record<string, unknown>): void => Context.current().heartbeat(details);
  return {
    async janitorSurvey(input: { taskQueue: string }): Promise<JanitorSurvey> {
      return surveyJanitor({ ...deps, beat }, input);
    },
    async janitorRemove(input: { requests: RemovalRequest[] }): Promise<RemoveOutcome> {
      return removeJanitorFolders({ ...deps, beat }, input);
    },
  };
}
