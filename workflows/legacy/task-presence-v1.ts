import { log } from '@temporalio/workflow';
import type { BeganTask } from '../../activities/legacy/task-thread-activities';
import type { TargetRef } from '../../contracts/target';
import type { AgentProgress, Command, TaskOutcome } from '../../contracts/task';
import { progress as progressActivities, thread } from './activity-proxies-v1';
import { failureReason } from '../failures';

/**
 * The task's presence on its thread while it runs: the progress comment, edited in place at most once
 * per interval, and the PR's check run. Updates run one at a time and `settle()` waits for the last,
 * so a late progress edit can never overwrite the final comment.
 */
export class TaskPresence {
  private inFlight: Promise<void> = Promise.resolve();
  private lastEditAt = 0;
  private stage = 'starting';
  private checkRun: number | undefined;
  private frozen = false;

  constructor(
    private readonly target: TargetRef,
    private readonly command: Command,
    private readonly taskWorkflowId: string,
    private readonly began: BeganTask,
    private readonly startedAt: number,
  ) {
    this.checkRun = began.checkRunId;
  }

  get checkRunId(): number | undefined {
    return this.checkRun;
  }

  /** A completed check run cannot run again: after an approval the work gets a new one. */
  async reopenCheckRun(summary: string): Promise<void> {
    await this.settle();
    if (this.began.pullRequest === undefined || this.checkRun === undefined) return;
    this.checkRun = await thread.openCheckRun({ target: this.target, headSha: this.began.pullRequest.headSha, taskWorkflowId: this.taskWorkflowId, summary });
  }

  /** Shows the plan in the task's comment and asks for approval on the check run. */
  async askForApproval(plan: string, deadline: string): Promise<void> {
    await this.settle();
    this.lastEditAt = Number.POSITIVE_INFINITY; // no progress edits over the plan while it waits
    await thread.showPlan({
      target: this.target,
      commentId: this.began.commentId,
      taskWorkflowId: this.taskWorkflowId,
      taskId: this.command.taskId,
      request: this.command.request,
      requester: this.command.requester,
      plan,
      mention: this.began.settings.mention,
      deadline,
    });
    if (this.checkRun !== undefined) {
      await thread.updateCheckRun({ target: this.target, checkRunId: this.checkRun, summary: `Plan awaiting approval:\n\n${plan}`, outcome: 'awaiting_approval' });
    }
  }

  /** Progress edits resume (after an approval). */
  resume(): void {
    this.lastEditAt = 0;
  }

  /** A new stage: shown at once (stages are few), whatever the interval. */
  showStage(stage: string, progress?: AgentProgress): void {
    this.stage = stage;
    this.edit(progress, true);
  }

  /** Live progress from the agent: shown when the interval has passed since the last edit. */
  showProgress(progress: AgentProgress): void {
    this.edit(progress, false);
  }

  async settle(): Promise<void> {
    await this.inFlight;
  }

  /** No more progress edits: the final comment is about to replace the progress. */
  async freeze(): Promise<void> {
    this.frozen = true;
    await this.settle();
  }

  /** Closes the check run with the outcome's conclusion. */
  async finish(outcome: TaskOutcome, summary: string): Promise<void> {
    await this.settle();
    if (this.checkRun === undefined) return;
    await thread.updateCheckRun({ target: this.target, checkRunId: this.checkRun, summary, outcome });
  }

  private edit(progress: AgentProgress | undefined, force: boolean): void {
    const now = Date.now();
    if (this.frozen || this.lastEditAt === Number.POSITIVE_INFINITY) return;
    if (!force && now - this.lastEditAt < this.began.settings.progressCommentIntervalMs) return;
    this.lastEditAt = now;
    const stage = progress?.stage ?? this.stage;
    const lastLine = progress?.lastLines.at(-1);
    const previous = this.inFlight;
    this.inFlight = (async () => {
      await previous;
      try {
        await progressActivities.updateProgressComment({
          target: this.target,
          commentId: this.began.commentId,
          taskWorkflowId: this.taskWorkflowId,
          taskId: this.command.taskId,
          request: this.command.request,
          requester: this.command.requester,
          stage,
          elapsedMs: Date.now() - this.startedAt,
          ...(lastLine === undefined ? {} : { lastLine }),
          ...(progress?.costUsd === undefined ? {} : { costUsd: progress.costUsd }),
        });
        if (this.checkRun !== undefined) {
          await progressActivities.updateCheckRun({ target: this.target, checkRunId: this.checkRun, summary: `${stage}${lastLine ? `\n\n    ${lastLine}` : ''}` });
        }
      } catch (error) {
        // Progress is best effort: the final comment is what must land.
        log.warn('progress update failed', { reason: failureReason(error) });
      }
    })();
  }
}
