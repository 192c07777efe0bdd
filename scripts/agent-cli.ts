import { randomUUID } from 'node:crypto';
import os from 'node:os';
import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { REPOSITORY_PATTERN } from '../config/repo-mapping';
import { ApiClient, CliExit, EXIT, type Outcome, type TaskAnswer } from './agent-cli/client';
import { formatLogRecord, ProgressDisplay } from './agent-cli/display';

/** How often a followed task is polled (ms): one cheap GET; the server reads the agent's heartbeat. */
const POLL_MS = 1_000;
/** How long a task that ended may take to show its answer (the query of a closed task needs a worker) (ms). */
const ANSWER_GRACE_MS = 15_000;

const HELP_AFTER = `
Environment:
  AGENT_BOT_URL        the gateway (default http://localhost:8080)
  AGENT_BOT_API_TOKEN  its bearer token (required)

Exit codes:
  0  the task succeeded (or the command did what it asked)
  1  the task failed, was cancelled, rejected or expired; or the API said no (no such task, nothing waits)
  2  usage error: bad arguments, a request the API refused (400), AGENT_BOT_API_TOKEN unset
  3  the API cannot be reached, refused the token (401), or failed (5xx)

Examples:
  npm run --silent agent -- ask --repo acme/widgets "explain the cache"
  id=$(npm run --silent agent -- ask --repo acme/widgets --no-follow "fix the flaky test")
  npm run --silent agent -- approve "$id" && npm run --silent agent -- logs -f "$id"`;

/**
 * `npm run agent -- <command>`: agent-bot for people and scripts without a chat tool, on the HTTP API.
 * The answer goes to stdout and nothing else does; progress and diagnostics go to stderr (a redrawn line
 * on a terminal, plain lines elsewhere), so `answer=$(npm run --silent agent -- ask …)` works.
 * Arguments are parsed by commander (well kept, typed, with generated help and usage errors). Each
 * action leaves its exit code in `result` (commander ignores what actions return); failures throw `CliExit`.
 */
export function buildProgram(io: CliIo, result: { code: number }): Command {
  const program = new Command('agent')
    .description('Start and follow agent-bot tasks through its HTTP API.')
    .addOption(new Option('--url <url>', 'the gateway').env('AGENT_BOT_URL').default('http://localhost:8080'))
    .addHelpText('after', HELP_AFTER)
    .showHelpAfterError('(run with --help for usage)')
    .configureOutput({ writeOut: (text) => io.stdout.write(text), writeErr: (text) => io.stderr.write(text) })
    // Usage errors end with exit code 2 (commander's own is 1, which here means "the task failed").
    .exitOverride((error) => {
      throw error.exitCode === 0 ? new CliExit(EXIT.ok, '') : new CliExit(EXIT.usage, '');
    });

  const client = (): ApiClient => {
    const token = io.env['AGENT_BOT_API_TOKEN'];
    if (token === undefined || token.trim() === '') throw new CliExit(EXIT.usage, 'AGENT_BOT_API_TOKEN is not set: export the token the gateway was configured with');
    return new ApiClient({ url: program.opts<{ url: string }>().url, token: token.trim() });
  };

  program
    .command('ask')
    .description('start a task and, unless --no-follow, follow it to its end and print the answer')
    .argument('<request...>', 'what to ask, e.g. "explain the cache" (quotes optional)')
    .requiredOption('--repo <owner/repo>', 'the repository to work on', repository)
    .option('--thread <id>', 'continue this API thread (a new one otherwise)')
    .option('--callback-url <url>', 'the final result is also POSTed there, signed')
    .option('--request-id <key>', 'idempotency key: the same key is the same task (default: a new one)')
    .option('--by <name>', 'who asks, as the task shows it', defaultRequester())
    .option('--no-follow', 'print the task id and return at once')
    .option('--json', 'print the final task as JSON instead of the answer text')
    .action(async (words: string[], flags: { repo: string; thread?: string; callbackUrl?: string; requestId?: string; by: string; follow: boolean; json?: boolean }) => {
      const api = client();
      const accepted = await api.createTask({
        repo: flags.repo,
        request: words.join(' '),
        ...(flags.thread === undefined ? {} : { thread: flags.thread }),
        ...(flags.callbackUrl === undefined ? {} : { callbackUrl: flags.callbackUrl }),
        requester: flags.by,
        idempotencyKey: flags.requestId ?? randomUUID(),
      });
      io.stderr.write(`task ${accepted.task_id} on thread ${accepted.thread} (continue it with --thread ${accepted.thread})\n`);
      if (!flags.follow) {
        io.stdout.write(`${accepted.task_id}\n`);
        return;
      }
      result.code = finish(await follow(api, accepted.task_id, io), flags.json === true, io);
    });

  program
    .command('status')
    .description("print a task's state (exit 1 when it ended other than succeeded)")
    .argument('<task-id>')
    .option('--json', 'print the API answer as JSON')
    .action(async (taskId: string, flags: { json?: boolean }) => {
      const task = await client().task(taskId);
      if (task === undefined) throw new CliExit(EXIT.failed, `no task ${taskId} (yet: a task queued behind another of its thread appears when it starts)`);
      if (flags.json === true) io.stdout.write(`${JSON.stringify(task, null, 2)}\n`);
      else io.stdout.write(describe(task));
      const outcome = outcomeOf(task);
      result.code = outcome === undefined || outcome === 'succeeded' ? EXIT.ok : EXIT.failed;
    });

  for (const decision of ['approve', 'reject'] as const) {
    program
      .command(decision)
      .description(`${decision} the plan of a task that waits for approval`)
      .argument('<task-id>')
      .option('--reason <text>', 'why (kept in the task and its final message)')
      .option('--by <name>', 'who decides', defaultRequester())
      .action(async (taskId: string, flags: { reason?: string; by: string }) => {
        const ack = await client().decide(taskId, decision, { by: flags.by, ...(flags.reason === undefined ? {} : { reason: flags.reason }) });
        io.stderr.write(`${ack.decision === 'approve' ? 'approved' : 'rejected'} task ${ack.task_id} as ${ack.by}\n`);
      });
  }

  program
    .command('cancel')
    .description('cancel a running task (its agent is stopped)')
    .argument('<task-id>')
    .action(async (taskId: string) => {
      await client().cancel(taskId);
      io.stderr.write(`cancelling task ${taskId}\n`);
    });

  program
    .command('logs')
    .description("print a task's log (the API must run where the workers write logs, or on a shared disk)")
    .argument('<task-id>')
    .option('-f, --follow', 'keep printing new lines until the task ends')
    .option('--json', 'print the log records as they are (JSON lines)')
    .action(async (taskId: string, flags: { follow?: boolean; json?: boolean }) => {
      await client().streamLog(taskId, flags.follow === true, (line) => io.stdout.write(`${flags.json === true ? line : formatLogRecord(line)}\n`));
    });

  return program;
}

export interface CliIo {
  stdout: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  env: NodeJS.ProcessEnv;
}

/**
 * Polls the task until its workflow has closed and its answer can be read, showing its progress on
 * stderr: the live stage and last line of the agent while it runs, its plan once while it waits for
 * approval (with how to decide).
 */
async function follow(api: ApiClient, taskId: string, io: CliIo): Promise<TaskAnswer> {
  const display = new ProgressDisplay(io.stderr);
  const started = Date.now();
  let planShown = false;
  let endedAt: number | undefined;
  for (;;) {
    const task = await api.task(taskId);
    if (task === undefined) {
      display.update({ stage: 'queued', elapsedMs: Date.now() - started });
    } else if (task.workflow_status !== 'RUNNING') {
      // Ended: the answer is read by a query that replays the task, which needs a worker; give it a moment.
      endedAt ??= Date.now();
      if (task.status?.answer !== undefined || Date.now() - endedAt > ANSWER_GRACE_MS) {
        display.clear();
        return task;
      }
    } else {
      const status = task.status;
      if (status?.phase === 'awaiting_approval' && !planShown) {
        planShown = true;
        display.note(`The plan waits for approval${status.approvalDeadline === undefined ? '' : ` until ${status.approvalDeadline}`}:\n\n${status.plan ?? '(no plan text)'}\n\nApprove: npm run agent -- approve ${taskId}\nReject:  npm run agent -- reject ${taskId} --reason "..."\n`);
      }
      const progress = task.progress ?? status?.progress;
      const stage = status?.phase === 'awaiting_approval' ? 'waiting for approval' : (progress?.stage ?? status?.stage ?? task.workflow_status.toLowerCase());
      const lastLine = status?.phase === 'awaiting_approval' ? undefined : progress?.lastLines.at(-1);
      display.update({ stage, elapsedMs: Date.now() - started, ...(lastLine === undefined ? {} : { lastLine }) });
    }
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** Prints the ended task: its answer on stdout when it succeeded, its reason on stderr otherwise. */
function finish(task: TaskAnswer, json: boolean, io: CliIo): number {
  const outcome = outcomeOf(task);
  const answer = task.status?.answer ?? task.answer;
  if (json) io.stdout.write(`${JSON.stringify(task, null, 2)}\n`);
  if (outcome === 'succeeded') {
    if (!json) io.stdout.write(answer === undefined || answer.endsWith('\n') ? (answer ?? '') : `${answer}\n`);
    if (task.status?.answerTruncated === true) io.stderr.write('(the answer was cut; the whole of it is on the agent-bot server)\n');
    return EXIT.ok;
  }
  if (outcome === undefined) {
    io.stderr.write(`task ${task.task_id} ended (${task.workflow_status.toLowerCase()}) but its answer could not be read: is a worker running?\n`);
    return EXIT.failed;
  }
  io.stderr.write(`task ${task.task_id} ${outcome}${answer === undefined ? '' : `: ${answer}`}\n`);
  return EXIT.failed;
}

function outcomeOf(task: TaskAnswer): Outcome | undefined {
  return task.status?.outcome ?? task.outcome;
}

function describe(task: TaskAnswer): string {
  const status = task.status;
  const progress = task.progress ?? status?.progress;
  const lines = [
    `task      ${task.task_id}`,
    `workflow  ${task.workflow_id} (${task.workflow_status.toLowerCase()})`,
    `started   ${task.started_at}${task.closed_at === undefined ? '' : `, closed ${task.closed_at}`}`,
  ];
  if (status !== undefined) lines.push(`phase     ${status.phase}: ${progress?.stage ?? status.stage}`);
  const last = progress?.lastLines.at(-1);
  if (last !== undefined && task.workflow_status === 'RUNNING') lines.push(`last line ${last}`);
  if (status?.phase === 'awaiting_approval') lines.push(`plan      (waits for approval${status.approvalDeadline === undefined ? '' : ` until ${status.approvalDeadline}`})`, indent(status.plan ?? ''));
  const outcome = outcomeOf(task);
  if (outcome !== undefined) lines.push(`outcome   ${outcome}`);
  const answer = status?.answer ?? task.answer;
  if (answer !== undefined) lines.push('answer', indent(answer));
  return `${lines.join('\n')}\n`;
}

function indent(text: string): string {
  return text.split('\n').map((line) => `  ${line}`).join('\n');
}

function repository(value: string): string {
  if (!REPOSITORY_PATTERN.test(value)) throw new InvalidArgumentError('expected owner/repo, e.g. acme/widgets');
  return value;
}

function defaultRequester(): string {
  try {
    return os.userInfo().username || 'api';
  } catch {
    return 'api';
  }
}

/** Runs the CLI with `argv` (without node and the script); resolves to the exit code. */
export async function runCli(argv: readonly string[], io: CliIo): Promise<number> {
  const result = { code: EXIT.ok as number };
  const program = buildProgram(io, result);
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return result.code;
  } catch (error) {
    if (error instanceof CliExit) {
      if (error.message !== '') io.stderr.write(`agent: ${error.message}\n`);
      return error.code;
    }
    if (error instanceof CommanderError) return EXIT.usage;
    io.stderr.write(`agent: ${error instanceof Error ? error.message : String(error)}\n`);
    return EXIT.unreachable;
  }
}

if (require.main === module) {
  const io: CliIo = { stdout: process.stdout, stderr: process.stderr, env: process.env };
  process.once('SIGINT', () => {
    io.stderr.write('\nstopped following; the task goes on (see `npm run agent -- status <task id>`)\n');
    process.exit(130);
  });
  void runCli(process.argv.slice(2), io).then((code) => {
    process.exitCode = code;
  });
}
