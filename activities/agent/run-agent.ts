import fs from 'node:fs';
import path from 'node:path';
import readline from 'node:readline';
import { Context, log } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { ErrorType } from '../../contracts/errors';
import type { TargetRef } from '../../contracts/target';
import type { AgentProgress, AgentUsage, Command } from '../../contracts/task';
import type { AgentEvent } from './events';
import { ProgressTracker } from './progress';
import { spawnAgentProcess } from './process-group';
import { buildPrompt } from './prompt';
import { agentEnvironment, runners, type AgentKind } from './runners';
import { safeSegment, TaskLog, taskLogPath } from './task-log';

export interface AgentRunnerConfig {
  kind: AgentKind;
  command: string;
  args: readonly string[];
  timeoutMs: number;
  killGraceMs: number;
  envPassthrough: readonly string[];
  dataDir: string;
  /** The worker's environment, from which the agent gets only what it needs. */
  sourceEnv: NodeJS.ProcessEnv;
}

/** Tells the workflows how the run is going; throttled by the caller. */
export type ProgressNotifier = (workflowIds: string[], taskId: string, progress: AgentProgress) => Promise<void>;

export interface RunAgentInput {
  target: TargetRef;
  targetWorkflowId: string;
  taskWorkflowId: string;
  command: Command;
  agentSessionId?: string;
}

export interface RunAgentResult {
  text: string;
  truncated: boolean;
  sessionId?: string;
  usage: AgentUsage;
  lineCount: number;
  logPath: string;
}

/** Kept in the activity result; the full output is in the task log. */
const MAX_RESULT_CHARS = 64_000;
const HEARTBEAT_EVERY_MS = 1_000;
const NOTIFY_EVERY_MS = 5_000;

export function createAgentActivities(config: AgentRunnerConfig, notify: ProgressNotifier) {
  async function runAgent(input: RunAgentInput): Promise<RunAgentResult> {
    const ctx = Context.current();
    const spec = runners[config.kind];
    const taskId = input.command.taskId;
    const workspace = workspacePath(config.dataDir, input.target);
    fs.mkdirSync(workspace, { recursive: true });
    const taskLog = new TaskLog(taskLogPath(config.dataDir, taskId), taskId);
    const attempt = ctx.info.attempt;
    taskLog.progress('starting', `attempt ${attempt}: ${config.kind} agent in ${workspace}`);

    const progress = new ProgressTracker('starting');
    const prompt = buildPrompt(input.target, input.command);
    const args = spec.args(prompt, config.args, input.agentSessionId);
    const env = agentEnvironment(config.sourceEnv, spec, config.envPassthrough, {
      AGENT_BOT_TASK_ID: taskId,
      AGENT_BOT_TARGET: input.targetWorkflowId,
    });

    const agent = spawnAgentProcess(config.command, args, { cwd: workspace, env });
    let stopReason: 'timeout' | 'cancelled' | undefined;
    const stop = (reason: 'timeout' | 'cancelled'): void => {
      stopReason ??= reason;
      taskLog.progress('stopping', reason === 'timeout' ? `timed out after ${config.timeoutMs} ms` : 'cancelled');
      agent.kill(config.killGraceMs);
    };
    const timeout = setTimeout(() => stop('timeout'), config.timeoutMs);
    const onCancel = (): void => stop('cancelled');
    ctx.cancellationSignal.addEventListener('abort', onCancel);

    const heartbeat = setInterval(() => ctx.heartbeat(progress.snapshot()), HEARTBEAT_EVERY_MS);
    let lastNotified = 0;
    const notifyTimer = setInterval(() => {
      if (progress.version === lastNotified) return;
      lastNotified = progress.version;
      notify([input.taskWorkflowId, input.targetWorkflowId], taskId, progress.snapshot()).catch((error: unknown) => {
        log.warn('progress signal failed', { error: String(error) });
      });
    }, NOTIFY_EVERY_MS);

    const collected = new ResultCollector();
    const handle = (event: AgentEvent): void => {
      collected.add(event);
      progress.add(event);
      if (!taskLog.event(event)) {
        // The disk is behind: stop reading until it catches up, so memory stays flat.
        agent.child.stdout?.pause();
        taskLog.onDrain(() => agent.child.stdout?.resume());
      }
    };
    const stdoutLines = readline.createInterface({ input: agent.child.stdout!, crlfDelay: Infinity });
    stdoutLines.on('line', (line) => {
      for (const event of spec.parseLine(line)) handle(event);
    });
    const stderrLines = readline.createInterface({ input: agent.child.stderr!, crlfDelay: Infinity });
    stderrLines.on('line', (line) => handle({ kind: 'output', line, stream: 'stderr' }));

    try {
      progress.stage('running');
      const exit = await agent.exited.catch((error: NodeJS.ErrnoException) => {
        if (error.code === 'ENOENT' || error.code === 'EACCES') {
          throw ApplicationFailure.nonRetryable(
            `AGENT_COMMAND "${config.command}" could not be started (${error.code}): install it or set AGENT_COMMAND to its path`,
            ErrorType.AgentCommandNotFound,
          );
        }
        throw error;
      });
      if (stopReason === 'cancelled') {
        taskLog.completion(false, 'cancelled', { cancelled: true });
        throw new CancelledFailure('agent run cancelled; the agent process group was killed');
      }
      if (stopReason === 'timeout') {
        taskLog.completion(false, 'timed out', { timed_out: true });
        throw ApplicationFailure.nonRetryable(
          `the agent ran longer than AGENT_TIMEOUT (${Math.round(config.timeoutMs / 1000)} s) and was stopped`,
          ErrorType.AgentTimeout,
        );
      }
      const outcome = collected.finish(config.kind, exit.code);
      taskLog.completion(outcome.success, outcome.text, { exit_code: exit.code, usage: outcome.usage });
      if (!outcome.success) {
        throw ApplicationFailure.nonRetryable(outcome.text, ErrorType.AgentFailed);
      }
      return {
        text: outcome.text.slice(0, MAX_RESULT_CHARS),
        truncated: outcome.truncated || outcome.text.length > MAX_RESULT_CHARS,
        ...(outcome.sessionId === undefined ? {} : { sessionId: outcome.sessionId }),
        usage: outcome.usage,
        lineCount: progress.lineCount,
        logPath: taskLog.file,
      };
    } finally {
      clearTimeout(timeout);
      clearInterval(heartbeat);
      clearInterval(notifyTimer);
      ctx.cancellationSignal.removeEventListener('abort', onCancel);
      agent.kill(config.killGraceMs);
      stdoutLines.close();
      stderrLines.close();
      await taskLog.close();
    }
  }

  return { runAgent };
}

/** `$AGENT_BOT_DATA_DIR/workspaces/github/<owner>/<repo>/<number>`, each part made path-safe. */
export function workspacePath(dataDir: string, target: TargetRef): string {
  return path.join(
    dataDir,
    'workspaces',
    target.provider,
    safeSegment(target.owner),
    safeSegment(target.repo),
    String(target.number),
  );
}

const MAX_KEPT_OUTPUT_CHARS = 1_000_000;

/** Gathers what the result comment needs, bounded in memory whatever the agent prints. */
class ResultCollector {
  private output = '';
  private outputTruncated = false;
  private texts: string[] = [];
  private result: Extract<AgentEvent, { kind: 'result' }> | undefined;
  private sessionId: string | undefined;
  private readonly tail: string[] = [];

  add(event: AgentEvent): void {
    if (event.kind === 'session') this.sessionId = event.sessionId;
    if (event.kind === 'text') this.texts = [event.text];
    if (event.kind === 'result') this.result = event;
    if (event.kind === 'output') {
      this.tail.push(event.line);
      if (this.tail.length > 20) this.tail.shift();
      if (event.stream === 'stdout') this.appendOutput(event.line);
    }
  }

  finish(kind: AgentKind, exitCode: number | null) {
    const usage = this.result?.usage ?? {};
    const sessionId = this.result?.sessionId ?? this.sessionId;
    const base = { usage, ...(sessionId === undefined ? {} : { sessionId }) };
    if (kind === 'claude' && this.result !== undefined) {
      const text = this.result.isError
        ? `the agent stopped with ${this.result.subtype ?? 'an error'}${this.result.text ? `: ${this.result.text}` : ''}`
        : (this.result.text ?? this.texts.join('\n'));
      return { ...base, success: !this.result.isError, text, truncated: false };
    }
    if (exitCode !== 0) {
      const tail = this.tail.slice(-10).join('\n');
      return { ...base, success: false, text: `the agent exited with code ${exitCode}${tail ? `; last output:\n${tail}` : ''}`, truncated: false };
    }
    const text = kind === 'claude' ? this.texts.join('\n') : this.output;
    return { ...base, success: true, text, truncated: this.outputTruncated };
  }

  private appendOutput(line: string): void {
    if (this.outputTruncated) return;
    if (this.output.length + line.length + 1 > MAX_KEPT_OUTPUT_CHARS) {
      this.outputTruncated = true;
      return;
    }
    this.output += (this.output === '' ? '' : '\n') + line;
  }
}
