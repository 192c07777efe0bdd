import type { AgentUsage } from '../../contracts/task';

/**
 * The normalized event model every runner produces. The log, heartbeats, UI details and the result
 * comment read only these, never a CLI's own format.
 */
export type AgentEvent =
  | { kind: 'session'; sessionId: string; model?: string; tools?: string[] }
  | { kind: 'text'; text: string }
  | { kind: 'tool_call'; id?: string; name: string; input: unknown }
  | { kind: 'tool_result'; id?: string; output: string; isError: boolean }
  /** The CLI's own final word (claude, cursor): totals, not increments. */
  | {
      kind: 'result';
      isError: boolean;
      text?: string;
      sessionId?: string;
      usage: AgentUsage;
      subtype?: string;
      /** The line was longer than the runner keeps: `text` is its beginning, of `totalChars` in the line. */
      cut?: { totalChars: number };
    }
  /**
   * Usage reported along the way: added up, or with `sessionTotal` the CLI's running total for the
   * whole session (codex), of which this task's share is the growth since the previous task.
   */
  | { kind: 'usage'; usage: AgentUsage; sessionTotal?: boolean }
  | { kind: 'error'; message: string }
  | { kind: 'output'; line: string; stream: 'stdout' | 'stderr' }
  | { kind: 'unknown'; raw: unknown };

/**
 * Turns one line of a CLI's stdout into events. Must never throw: a bad line is plain output. `cut` is
 * set when the line was longer than the runner keeps (see line-splitter.ts): `line` is its beginning.
 */
export type LineParser = (line: string, cut?: { totalChars: number }) => AgentEvent[];
