import { ErrorType } from '../../contracts/errors';
import type { AgentUsage } from '../../contracts/task';
import type { AgentEvent } from './events';
import type { AgentKind } from './runners';

const MAX_KEPT_OUTPUT_CHARS = 1_000_000;

/** Result subtypes that name a limit (Claude Code), so the comment can say which one. */
const FAILURE_TYPES: Record<string, string> = {
  error_max_turns: ErrorType.AgentMaxTurns,
  error_max_budget_usd: ErrorType.AgentBudgetExceeded,
};

export interface AgentOutcome {
  success: boolean;
  /** What stopped a failed run, as an ErrorType name. */
  failureType?: string;
  /** The answer on success, the reason otherwise. */
  text: string;
  truncated: boolean;
  sessionId?: string;
  sessionUsage?: AgentUsage;
  usage: AgentUsage;
  /** What the reader should know about the answer itself (cut, or not the CLI's final result). */
  note?: string;
}

/** CLIs whose last word is a `result` line carrying the answer; for the others the answer is their last text. */
const ANSWERS_IN_RESULT: ReadonlySet<AgentKind> = new Set(['claude', 'cursor']);

/** Gathers what the result comment needs from the normalized events, bounded whatever the agent prints. */
export class ResultCollector {
  private output = '';
  private outputTruncated = false;
  private lastText: string | undefined;
  private result: Extract<AgentEvent, { kind: 'result' }> | undefined;
  private readonly errors: string[] = [];
  private sessionId: string | undefined;
  private readonly tail: string[] = [];
  private readonly summed: AgentUsage = {};
  private sessionTotal: AgentUsage | undefined;
  private turns = 0;

  /**
   * @param sessionBaseline the session's running totals after the previous task (codex reports totals
   *   per thread, so this task's usage is what was added since).
   */
  constructor(
    private readonly pricePerMTok?: { input: number; output: number },
    private readonly sessionBaseline: AgentUsage = {},
  ) {}

  add(event: AgentEvent): void {
    switch (event.kind) {
      case 'session':
        this.sessionId = event.sessionId;
        break;
      case 'text':
        this.lastText = event.text;
        break;
      case 'result':
        this.result = event;
        break;
      case 'usage':
        if (event.sessionTotal === true) {
          this.turns += event.usage.turns ?? 0;
          this.sessionTotal = { ...event.usage, turns: (this.sessionBaseline.turns ?? 0) + this.turns };
          break;
        }
        for (const key of ['costUsd', 'inputTokens', 'outputTokens', 'turns'] as const) {
          const value = event.usage[key];
          if (value !== undefined) this.summed[key] = (this.summed[key] ?? 0) + value;
        }
        break;
      case 'error':
        this.errors.push(event.message);
        break;
      case 'output':
        this.tail.push(event.line);
        if (this.tail.length > 20) this.tail.shift();
        if (event.stream === 'stdout') this.appendOutput(event.line);
        break;
      default:
        break;
    }
  }

  /** Usage so far: the CLI's own totals when it gave them, else the sum of what it reported per turn. */
  usage(): AgentUsage {
    const usage = { ...(this.result?.usage ?? this.sessionShare() ?? this.summed) };
    if (usage.costUsd === undefined && this.pricePerMTok !== undefined && (usage.inputTokens !== undefined || usage.outputTokens !== undefined)) {
      usage.costUsd = ((usage.inputTokens ?? 0) * this.pricePerMTok.input + (usage.outputTokens ?? 0) * this.pricePerMTok.output) / 1_000_000;
    }
    return usage;
  }

  /** The session's running totals as last reported, for the next task's baseline. */
  sessionTotals(): AgentUsage | undefined {
    return this.sessionTotal;
  }

  private sessionShare(): AgentUsage | undefined {
    if (this.sessionTotal === undefined) return undefined;
    const share: AgentUsage = { turns: this.turns };
    for (const key of ['costUsd', 'inputTokens', 'outputTokens'] as const) {
      const total = this.sessionTotal[key];
      if (total !== undefined) share[key] = Math.max(0, total - (this.sessionBaseline[key] ?? 0));
    }
    return share;
  }

  finish(kind: AgentKind, exitCode: number | null): AgentOutcome {
    const sessionId = this.result?.sessionId ?? this.sessionId;
    const base = {
      usage: this.usage(),
      truncated: false,
      ...(sessionId === undefined ? {} : { sessionId }),
      ...(this.sessionTotal === undefined ? {} : { sessionUsage: this.sessionTotal }),
    };
    if (this.result?.isError === true) {
      const detail = this.result.text ?? this.errors.at(-1) ?? 'no detail';
      const subtype = this.result.subtype;
      const named = subtype !== undefined && subtype !== 'success' ? ` (${subtype})` : '';
      return { ...base, success: false, failureType: FAILURE_TYPES[subtype ?? ''] ?? ErrorType.AgentFailed, text: `the agent stopped with an error${named}: ${detail}` };
    }
    if (exitCode !== 0 || (kind !== 'command' && this.errors.length > 0 && this.lastText === undefined)) {
      const reason = this.errors.at(-1);
      const tail = this.tail.slice(-10).join('\n');
      return {
        ...base,
        success: false,
        text: `the agent exited with code ${exitCode}${reason ? `: ${reason}` : ''}${tail ? `; last output:\n${tail}` : ''}`,
      };
    }
    if (kind === 'command') return { ...base, success: true, text: this.output, truncated: this.outputTruncated };
    const cut = this.result?.cut;
    if (cut !== undefined) {
      const kept = (this.result?.text ?? '').length;
      return { ...base, success: true, text: this.result?.text ?? '', truncated: true, note: `The agent's final answer was a line of ${cut.totalChars.toLocaleString('en-US')} characters; its first ${kept.toLocaleString('en-US')} characters of answer were kept.` };
    }
    if (this.result?.text === undefined && ANSWERS_IN_RESULT.has(kind) && this.lastText !== undefined) {
      return { ...base, success: true, text: this.lastText, note: 'The agent ended without a final result; this is the last message it wrote.' };
    }
    return { ...base, success: true, text: this.result?.text ?? this.lastText ?? '' };
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
