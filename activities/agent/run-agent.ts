import fs from 'node:fs';
import path from 'node:path';
import { Context, log } from '@temporalio/activity';
import { ApplicationFailure, CancelledFailure } from '@temporalio/common';
import { ErrorType } from '../../contracts/errors';
import type { TaskPresence } from '../../contracts/presence';
import { asThread, type TargetRef } from '../../contracts/target';
import type { AgentProgress, AgentUsage, Command, PullRequestRefs } from '../../contracts/task';
import type { AgentWorkerRef } from '../../contracts/task-queues';
import type { ThreadRef } from '../../contracts/thread';
import type { PromptContext, ThreadTransport, Transports } from '../../integrations/transport';
import type { McpServerSpec } from '../../config/mcp-servers';
import { taskOnThread } from '../thread-activities';
import { openRunMcp, type AgentMcpDeps, type RunMcp, type RunnerMcp } from './agent-mcp';
import { leaseWorkspace } from './attempt-lease';
import type { AgentEvent } from './events';
import { forEachLine } from './line-splitter';
import { spawnAgentProcess, type SpawnedAgent } from './process-group';
import { ProgressTracker } from './progress';
import { ProgressPublisher, type ProgressPacing } from './progress-publisher';
import { agentPrompt, promptDelivery } from './prompt-delivery';
import { DEFAULT_PROMPT_TEMPLATES, promptVariables, renderPrompt } from './prompt';
import { ResultCollector, type AgentOutcome } from './result-collector';
import { agentEnvironment, runners, type AgentKind } from './runners';
import { TaskLog, taskLogPath } from './task-log';
import { prepareWorkspace, type WorkspaceConfig } from './workspace';
import type { AgentSlots } from './agent-slots';
import { sessionReachable } from './sessions';

export interface AgentRunnerConfig {
  kind: AgentKind;
  command: string;
  args: readonly string[];
  promptTemplate: string | undefined;
  promptOnStdin: boolean;
  timeoutMs: number;
  idleTimeoutMs: number;
  killGraceMs: number;
  maxTurns: number | undefined;
  maxBudgetUsd: number | undefined;
  maxLogBytes: number;
  /** At most one progress signal per interval (runs of v1 tasks only): history grows with time, never with output. */
  progressIntervalMs: number;
  pricePerMTok: { input: number; output: number } | undefined;
  envPassthrough: readonly string[];
  dataDir: string;
  workspace: WorkspaceConfig;
  /** The worker's environment, from which the agent gets only what it needs. */
  sourceEnv: NodeJS.ProcessEnv;
  /** AGENT_MCP_SERVERS: the user's own MCP servers, in every run. */
  mcpServers?: Readonly<Record<string, McpServerSpec>>;
}

/** How a run shows itself on its thread: the providers' transports and this worker's settings. */
export interface AgentThreadDeps {
  transports: Transports;
  uiUrl: string;
  namespace: string;
  mention: string;
  pacing: ProgressPacing;
  /** APPROVAL_TIMEOUT and APPROVAL_REMINDER (ms): a plan's deadline is chosen where the plan is shown. */
  approvalTimeoutMs: number;
  approvalReminderMs: number;
  /** agent-bot's thread tools for the agent (AGENT_MCP); absent: the agent gets none. */
  mcp?: AgentMcpDeps;
}

/** Where this worker's agent runs happen, for a thread's next task to come back to (issue: affinity). */
export interface AgentPlacement {
  /** AGENT_MAX_CONCURRENT, shared by this process's agent workers. */
  slots: AgentSlots;
  /** This worker: its id, its own agent task queue and its AGENT_STICKY_WAIT. */
  worker: AgentWorkerRef;
  /** Whether the data dir is shared with other workers (then threads are not pinned). */
  shared: () => boolean;
}

/** Tells v1 task workflows how the run is going; throttled by the caller. */
export type ProgressNotifier = (workflowIds: string[], taskId: string, progress: AgentProgress) => Promise<void>;

export interface RunAgentInput {
  thread?: ThreadRef;
  /** @deprecated the pre-thread GitHub shape, sent by v1 task workflows. */
  target?: TargetRef;
  targetWorkflowId: string;
  taskWorkflowId: string;
  command: Command;
  agentSessionId?: string;
  agentSessionUsage?: AgentUsage;
  /** v1 tasks only: the PR's branches, for the prompt. */
  pullRequest?: PullRequestRefs;
  /** `plan`: read-only, the answer is a plan; `execute` (default): do the work. */
  mode?: 'plan' | 'execute';
  /** Set when a person approved the plan this run carries out. */
  approvedBy?: string;
  /**
   * ISO time the task started. Set by current task workflows: the run then shows itself on its thread
   * (progress message, the plan) and returns where it left it. Absent (v1 tasks): it signals its workflows.
   */
  startedAt?: string;
  /** Where an earlier pass left the task on its thread (the plan's message and check run). */
  presence?: TaskPresence;
  /** `owner/repo` to work on; absent: the thread's own, or none (an empty workspace). */
  repo?: string;
  /** The thread's earlier requests, one a line: given to the agent when its session had to restart. */
  threadSummary?: string;
}

export interface RunAgentResult {
  /** The answer, at most MAX_RESULT_CHARS: the whole of it is in the file at `answerPath`. */
  text: string;
  truncated: boolean;
  sessionId?: string;
  /** The session's running totals, when the CLI reports them per session (codex). */
  sessionUsage?: AgentUsage;
  usage: AgentUsage;
  lineCount: number;
  logPath: string;
  /** The full answer, relative to AGENT_BOT_DATA_DIR. */
  answerPath?: string;
  /** Length of the whole answer (characters); `text` holds at most MAX_RESULT_CHARS of it. */
  answerChars?: number;
  /** Where the run left the task on its thread. */
  presence?: TaskPresence;
  /** Something the answer's reader should know (a new session, no repository). */
  note?: string;
  /** A plan's wait, chosen from this worker's APPROVAL_TIMEOUT and APPROVAL_REMINDER (ISO times). */
  approval?: { deadline: string; remindAt: string };
  /** The worker that ran it; `shared` when every worker reaches its workspace and sessions (no pinning). */
  worker?: AgentWorkerRef & { shared: boolean };
}

type StopReason = 'timeout' | 'idle' | 'cancelled' | 'max_turns' | 'budget';

const STOP_FAILURES: Record<Exclude<StopReason, 'cancelled'>, { type: string; message: (c: AgentRunnerConfig) => string }> = {
  timeout: { type: ErrorType.AgentTimeout, message: (c) => `the agent ran longer than AGENT_TIMEOUT (${seconds(c.timeoutMs)}) and was stopped` },
  idle: { type: ErrorType.AgentIdle, message: (c) => `the agent printed nothing for AGENT_IDLE_TIMEOUT (${seconds(c.idleTimeoutMs)}) and was stopped` },
  max_turns: { type: ErrorType.AgentMaxTurns, message: (c) => `the agent reached AGENT_MAX_TURNS (${c.maxTurns}) and was stopped` },
  budget: { type: ErrorType.AgentBudgetExceeded, message: (c) => `the agent's cost passed AGENT_MAX_BUDGET_USD ($${c.maxBudgetUsd}) and it was stopped` },
};

/** Kept in the activity result (far below Temporal's payload limits); the whole answer is in `answer.md`. */
export const MAX_RESULT_CHARS = 64_000;
const HEARTBEAT_EVERY_MS = 1_000;

export function createAgentActivities(config: AgentRunnerConfig, notify: ProgressNotifier, threadDeps?: AgentThreadDeps, placement?: AgentPlacement) {
  async function runAgent(input: RunAgentInput): Promise<RunAgentResult> {
    const ctx = Context.current();
    const thread = asThread(input.thread ?? input.target!);
    const taskId = input.command.taskId;
    const shown = input.startedAt !== undefined && threadDeps !== undefined;
    const progress = new ProgressTracker('preparing the workspace');
    const transport = threadDeps?.transports.for(thread);
    let publisher: ProgressPublisher | undefined;
    let mcp: RunMcp | undefined;
    const beat = (): void => ctx.heartbeat({ ...progress.snapshot(), ...(publisher === undefined ? {} : { presence: publisher.presence }) });

    // v1 task workflows learn of progress by signal; current ones read the heartbeat instead.
    const sendProgress = (): void => {
      if (shown) return;
      notify([input.taskWorkflowId, input.targetWorkflowId], taskId, progress.snapshot()).catch((error: unknown) => {
        log.warn('progress signal failed', { error: String(error) });
      });
    };
    sendProgress();
    const taskLog = new TaskLog(taskLogPath(config.dataDir, taskId), taskId, config.maxLogBytes);
    taskLog.progress('starting', `attempt ${ctx.info.attempt}: ${config.kind} agent`);

    // Heartbeats start before the clone: a slow fetch must not look like a dead worker.
    const heartbeat = setInterval(() => {
      beat();
      publisher?.tick(progress.snapshot());
    }, HEARTBEAT_EVERY_MS);
    let lastNotified = progress.version;
    const notifyTimer = setInterval(() => {
      if (progress.version === lastNotified) return;
      lastNotified = progress.version;
      sendProgress();
    }, config.progressIntervalMs);
    let releaseSlot: (() => void) | undefined;
    try {
      // AGENT_MAX_CONCURRENT is per machine: this worker's own queue and the shared one share the slots.
      releaseSlot = await placement?.slots.acquire(ctx.cancellationSignal, () => progress.stage('waiting for an agent slot on this worker'));
      progress.stage('preparing the workspace');
      let context: PromptContext = { notes: input.pullRequest === undefined ? [] : [pullRequestNote(input.pullRequest)] };
      if (shown && transport !== undefined) {
        const began = await beginOnThread(transport, threadDeps, input, thread, ctx);
        context = began.context;
        publisher = new ProgressPublisher(transport, began.task, began.presence, threadDeps.pacing, beat, began.mayExist, Date.now, (error) => {
          log.warn('progress edit failed', { error: error instanceof Error ? error.message : String(error) });
        });
        // The plan's message (with its buttons) says at once who decided, instead of waiting for progress.
        if (input.approvedBy !== undefined) {
          await publisher.show({ phase: 'working', stage: `approved by @${input.approvedBy}; starting`, elapsedMs: Date.now() - Date.parse(input.startedAt ?? new Date().toISOString()) });
        }
      }
      const repo = input.repo ?? thread.repo;
      const checkout = transport?.checkout(thread) ?? { branch: `agent-bot/${thread.provider}-${taskBranch(thread.key)}` };
      const workspace = await prepareWorkspace(config.workspace, thread, repo, checkout).catch((error: unknown) => {
        taskLog.completion(false, (error as Error).message);
        throw error;
      });
      taskLog.progress('workspace', `${workspace.kind} workspace at ${workspace.path}`);
      const prompt = withMode(
        renderPrompt(config.promptTemplate ?? DEFAULT_PROMPT_TEMPLATES[config.kind], promptVariables(thread, input.command, { repo, notes: context.notes, ...(context.title === undefined ? {} : { title: context.title }) })),
        input,
      );
      mcp = await openMcp({ config, threadDeps, transport, publisher, thread, repo, taskId, progress, taskLog });
      progress.stage('running');
      const base = { config, ctx, input, prompt, cwd: workspace.path, progress, taskLog, mcp: mcp.runner };
      const notes: string[] = [];
      if (repo === undefined) notes.push('This thread has no repository, so the agent worked in an empty folder. Name one with `in owner/repo` in the request.');
      const restart = (why: string) => {
        // The session lives on another machine, or was cleaned up: a new one, told what the thread asked so far.
        taskLog.progress('new_session', `session ${input.agentSessionId ?? ''} ${why}; starting a new session`);
        notes.push(`The agent's earlier session on this thread ${why}, so a new session started${input.threadSummary ? ' with a summary of the thread so far' : ''}: it does not remember the earlier work itself.`);
        return runProcess({ ...base, prompt: withThreadSummary(prompt, input.threadSummary), sessionId: undefined, sessionBaseline: {} });
      };
      const reachable = input.agentSessionId === undefined ? undefined : sessionReachable(config.kind, input.agentSessionId, agentEnvironment(config.sourceEnv, runners[config.kind], config.envPassthrough, {}));
      let outcome = reachable === false
        ? await restart(`is not on this worker (${placement?.worker.id ?? 'here'})`)
        : await runProcess({ ...base, sessionId: input.agentSessionId, sessionBaseline: input.agentSessionUsage ?? {} });
      const lost = runners[config.kind].lostSessionPattern;
      if (reachable !== false && !outcome.success && input.agentSessionId !== undefined && lost?.test(outcome.text) === true) {
        outcome = await restart('was not available on this worker');
      }
      if (outcome.note !== undefined) notes.push(outcome.note);
      taskLog.completion(outcome.success, outcome.text, { usage: outcome.usage });
      const answerPath = writeAnswer(config.dataDir, taskId, outcome.text);
      if (!outcome.success) {
        const presence = await publisher?.settle();
        throw ApplicationFailure.create({ message: outcome.text.slice(0, MAX_RESULT_CHARS), type: outcome.failureType ?? ErrorType.AgentFailed, nonRetryable: true, details: [outcome.usage, presence ?? {}] });
      }
      let approval: RunAgentResult['approval'];
      if (input.mode === 'plan' && publisher !== undefined && threadDeps !== undefined) {
        const deadline = Date.parse(input.startedAt ?? new Date().toISOString()) + threadDeps.approvalTimeoutMs;
        approval = { deadline: new Date(deadline).toISOString(), remindAt: new Date(deadline - threadDeps.approvalReminderMs).toISOString() };
        await publisher.show({ phase: 'plan', plan: outcome.text.slice(0, MAX_RESULT_CHARS), deadline: approval.deadline });
      }
      const presence = await publisher?.settle();
      return {
        text: outcome.text.slice(0, MAX_RESULT_CHARS),
        truncated: outcome.truncated || outcome.text.length > MAX_RESULT_CHARS,
        answerChars: outcome.text.length,
        ...(outcome.sessionId === undefined ? {} : { sessionId: outcome.sessionId }),
        ...(outcome.sessionUsage === undefined ? {} : { sessionUsage: outcome.sessionUsage }),
        usage: outcome.usage,
        lineCount: progress.lineCount,
        logPath: taskLog.file,
        ...(answerPath === undefined ? {} : { answerPath }),
        ...(presence === undefined ? {} : { presence }),
        ...(notes.length === 0 ? {} : { note: notes.join(' ') }),
        ...(approval === undefined ? {} : { approval }),
        ...(placement === undefined ? {} : { worker: { ...placement.worker, shared: placement.shared() } }),
      };
    } catch (error) {
      // No progress edit may land after this run: the final message follows it.
      const presence = await publisher?.settle();
      if (error instanceof CancelledFailure && presence !== undefined) throw new CancelledFailure(error.message, [{}, presence]);
      throw error;
    } finally {
      releaseSlot?.();
      clearInterval(heartbeat);
      clearInterval(notifyTimer);
      // Before the log closes: a call still in flight gets its mcp_result line.
      await mcp?.close();
      await taskLog.close();
    }
  }

  return { runAgent };
}

/**
 * The run's start on its thread: where an earlier attempt left the task (its last heartbeat, or the
 * previous pass), and whatever the provider shows before the agent works (a check run).
 */
async function beginOnThread(transport: ThreadTransport, deps: AgentThreadDeps, input: RunAgentInput, thread: ThreadRef, ctx: Context) {
  const task = taskOnThread(deps, { thread, taskId: input.command.taskId, taskWorkflowId: input.taskWorkflowId, request: input.command.request, requester: input.command.requester, startedAt: input.startedAt! });
  const previous = presenceOf(ctx.info.heartbeatDetails) ?? input.presence ?? {};
  const retried = ctx.info.attempt > 1;
  const began = await transport.begin(task, { mayExist: retried, presence: previous });
  return { task, presence: began.presence, context: began.context, mayExist: retried && began.presence.messageId === undefined };
}

/** The run's MCP servers: the user's, and agent-bot's thread tools when the run shows on a thread. */
function openMcp(run: {
  config: AgentRunnerConfig;
  threadDeps: AgentThreadDeps | undefined;
  transport: ThreadTransport | undefined;
  publisher: ProgressPublisher | undefined;
  thread: ThreadRef;
  repo: string | undefined;
  taskId: string;
  progress: ProgressTracker;
  taskLog: TaskLog;
}): Promise<RunMcp> {
  const { threadDeps, transport, publisher, thread, repo, progress } = run;
  const deps = threadDeps?.mcp;
  return openRunMcp({
    dataDir: run.config.dataDir,
    taskId: run.taskId,
    userServers: run.config.mcpServers ?? {},
    thread: deps === undefined || transport === undefined ? undefined : {
      deps,
      binding: {
        taskId: run.taskId,
        thread,
        ...(repo === undefined ? {} : { repo }),
        transport,
        reader: deps.readers.for(thread),
        ...(publisher === undefined ? {} : { showNote: (note: string) => publisher.showNote(note, progress.snapshot()) }),
        calls: run.taskLog,
      },
    },
  });
}

function presenceOf(details: unknown): TaskPresence | undefined {
  if (typeof details !== 'object' || details === null) return undefined;
  const presence = (details as { presence?: unknown }).presence;
  return typeof presence === 'object' && presence !== null ? (presence) : undefined;
}

/**
 * The whole answer, kept next to the task's log (`logs/tasks/<task id>/answer.md`) whatever its size:
 * the posted message may be cut to the provider's limit and points here. Relative to the data dir.
 */
function writeAnswer(dataDir: string, taskId: string, text: string): string | undefined {
  const file = path.join(path.dirname(taskLogPath(dataDir, taskId)), 'answer.md');
  try {
    fs.writeFileSync(file, text);
    return path.relative(dataDir, file);
  } catch (error) {
    log.warn('could not keep the full answer', { error: String(error) });
    return undefined;
  }
}

function pullRequestNote(refs: PullRequestRefs): string {
  return `The pull request merges \`${refs.headRef}\` into \`${refs.baseRef}\`; the workspace is checked out at its head.`;
}

/** A branch-safe short name for a thread's key. */
function taskBranch(key: string): string {
  return key.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^-+|-+$/g, '').slice(0, 60) || 'thread';
}

interface ProcessRun {
  config: AgentRunnerConfig;
  ctx: Context;
  input: RunAgentInput;
  prompt: string;
  cwd: string;
  sessionId: string | undefined;
  sessionBaseline: AgentUsage;
  progress: ProgressTracker;
  taskLog: TaskLog;
  mcp: RunnerMcp | undefined;
}

/**
 * One agent process, from spawn to exit, with every limit enforced. Resolves with the outcome the
 * output describes; throws for cancellation, a limit that stopped it, or a binary that is missing.
 */
async function runProcess(run: ProcessRun): Promise<AgentOutcome> {
  const { config, ctx, progress, taskLog } = run;
  const spec = runners[config.kind];
  const prompt = agentPrompt(run.prompt);
  const delivery = promptDelivery(config.kind, spec.stdinPrompt, prompt, config.promptOnStdin);
  if (delivery.via === 'refused') {
    taskLog.completion(false, delivery.reason);
    throw ApplicationFailure.nonRetryable(delivery.reason, ErrorType.AgentPromptTooLong);
  }
  const promptOnStdin = delivery.via === 'stdin';
  const args = spec.args({
    prompt,
    extraArgs: config.args,
    sessionId: run.sessionId,
    maxTurns: config.maxTurns,
    maxBudgetUsd: config.maxBudgetUsd,
    promptOnStdin,
    mode: run.input.mode ?? 'execute',
    ...(run.mcp === undefined ? {} : { mcp: run.mcp }),
  });
  const env = agentEnvironment(config.sourceEnv, spec, config.envPassthrough, {
    AGENT_BOT_TASK_ID: run.input.command.taskId,
    AGENT_BOT_TARGET: run.input.targetWorkflowId,
    AGENT_BOT_MODE: run.input.mode ?? 'execute',
    // A path, no secret: how a `command` agent finds its MCP servers (the file Claude Code is given).
    ...(run.mcp === undefined ? {} : { AGENT_BOT_MCP_CONFIG: run.mcp.configFile }),
  });
  const lease = await leaseWorkspace({ ctx, dataDir: config.dataDir, key: run.input.targetWorkflowId, taskId: run.input.command.taskId, killGraceMs: config.killGraceMs, progress, taskLog });
  let agent: SpawnedAgent;
  try {
    agent = spawnAgentProcess(config.command, args, { cwd: run.cwd, env, stdin: promptOnStdin ? prompt : undefined, killGraceMs: config.killGraceMs, lease });
  } catch (error) {
    // Node throws some spawn errors (E2BIG) at once rather than emitting them.
    throw notStarted(error, config, prompt, promptOnStdin) ?? error;
  }

  let stopReason: StopReason | undefined;
  const stop = (reason: StopReason): void => {
    if (stopReason !== undefined) return;
    stopReason = reason;
    taskLog.progress('stopping', reason);
    agent.kill(config.killGraceMs);
  };
  const hardTimer = setTimeout(() => stop('timeout'), config.timeoutMs);
  // A timestamp per line and a periodic look, rather than a new timer per line.
  let lastOutputAt = Date.now();
  const idleTimer = setInterval(() => {
    if (Date.now() - lastOutputAt >= config.idleTimeoutMs) stop('idle');
  }, Math.min(1_000, Math.max(50, config.idleTimeoutMs / 4)));
  const onCancel = (): void => stop('cancelled');
  ctx.cancellationSignal.addEventListener('abort', onCancel);

  const collected = new ResultCollector(config.pricePerMTok, run.sessionBaseline);
  let toolCalls = 0;
  const handle = (event: AgentEvent): void => {
    lastOutputAt = Date.now();
    collected.add(event);
    progress.add(event);
    if (event.kind === 'usage' || event.kind === 'result') {
      const cost = collected.usage().costUsd;
      progress.setCost(cost);
      if (config.maxBudgetUsd !== undefined && cost !== undefined && cost > config.maxBudgetUsd) stop('budget');
    }
    if (event.kind === 'tool_call' && !spec.enforcesMaxTurns && config.maxTurns !== undefined && ++toolCalls > config.maxTurns) stop('max_turns');
    if (!taskLog.event(event) && !paused) {
      // The disk is behind: stop reading until it catches up, so memory stays flat.
      paused = true;
      agent.child.stdout?.pause();
      taskLog.onDrain(() => {
        paused = false;
        agent.child.stdout?.resume();
      });
    }
  };
  let paused = false;
  forEachLine(agent.child.stdout!, (line, cut) => {
    for (const event of spec.parseLine(line, cut)) handle(event);
  });
  forEachLine(agent.child.stderr!, (line) => handle({ kind: 'output', line, stream: 'stderr' }));

  try {
    const exit = await agent.exited.catch((error: unknown) => {
      throw notStarted(error, config, prompt, promptOnStdin) ?? error;
    });
    if (stopReason === 'cancelled') {
      taskLog.completion(false, 'cancelled', { cancelled: true });
      throw new CancelledFailure('agent run cancelled; the agent process group was killed');
    }
    if (stopReason !== undefined) {
      const failure = STOP_FAILURES[stopReason];
      taskLog.completion(false, failure.message(config), { stopped: stopReason, usage: collected.usage() });
      throw ApplicationFailure.create({ message: failure.message(config), type: failure.type, nonRetryable: true, details: [collected.usage()] });
    }
    taskLog.progress('exited', `exit code ${exit.code}${exit.signal ? `, signal ${exit.signal}` : ''}`);
    return collected.finish(config.kind, exit.code);
  } finally {
    clearTimeout(hardTimer);
    clearInterval(idleTimer);
    ctx.cancellationSignal.removeEventListener('abort', onCancel);
    agent.kill(config.killGraceMs);
  }
}

/** The failure for an agent command that could not be started; undefined for any other error. */
function notStarted(error: unknown, config: AgentRunnerConfig, prompt: string, promptOnStdin: boolean): ApplicationFailure | undefined {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (code === 'ENOENT' || code === 'EACCES') {
    return ApplicationFailure.nonRetryable(`AGENT_COMMAND "${config.command}" could not be started (${code}): install it or set AGENT_COMMAND to its path`, ErrorType.AgentCommandNotFound);
  }
  if (code === 'E2BIG') {
    // The prompt alone stays under the limit (prompt-delivery.ts); with AGENT_ARGS and the environment it may not.
    return ApplicationFailure.nonRetryable(
      `AGENT_COMMAND "${config.command}" could not be started (E2BIG): its arguments and environment are longer than this system allows (the prompt: ${Buffer.byteLength(prompt, 'utf8')} bytes, ${promptOnStdin ? 'on stdin' : 'an argument'}); shorten AGENT_ARGS, the variables passed to the agent, or the request`,
      ErrorType.AgentPromptTooLong,
    );
  }
  return undefined;
}

/** A new session's prompt, when the thread had an earlier one: what was asked before, so the agent has the context. */
function withThreadSummary(prompt: string, summary: string | undefined): string {
  if (summary === undefined || summary.trim() === '') return prompt;
  return `Earlier on this thread (your previous session is not available, so here is what was asked and how it ended):\n${summary}\n\n${prompt}`;
}

/** What the agent is told about the pass it is in: plan first, or carry out an approved plan. */
function withMode(prompt: string, input: RunAgentInput): string {
  if (input.mode === 'plan') {
    return `${prompt}\n\nThis is a planning pass: change nothing. Answer with a short plan of what you would do; a person approves it before you act.`;
  }
  if (input.approvedBy !== undefined) return `${prompt}\n\n@${input.approvedBy} approved your plan: carry it out now.`;
  return prompt;
}

function seconds(ms: number): string {
  return ms % 60_000 === 0 ? `${ms / 60_000} min` : `${Math.round(ms / 1000)} s`;
}
