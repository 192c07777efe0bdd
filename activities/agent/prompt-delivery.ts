import type { AgentKind, RunnerSpec } from './runners';

/**
 * The longest prompt passed as a command-line argument, in bytes (UTF-8). Linux refuses any one argument
 * longer than MAX_ARG_STRLEN (32 pages: 131,072 bytes on 4 KiB pages, its closing NUL included) with E2BIG,
 * and all the arguments and the environment together must fit ARG_MAX (a quarter of the stack limit,
 * usually 2 MiB). 100 KiB stays well under the first and leaves the other room for the rest of the command
 * line and the environment. Larger prompts go on stdin, for the CLIs that read it there.
 */
export const MAX_PROMPT_ARGUMENT_BYTES = 100 * 1024;

/** How a prompt reaches the agent process; `refused`: it cannot, and `reason` says why and what to do. */
export type PromptDelivery = { via: 'argument' } | { via: 'stdin' } | { via: 'refused'; reason: string };

/**
 * The prompt as an agent process may be given it: without NUL characters, which no command-line argument
 * can hold (Node refuses to spawn with one) and which mean nothing in a request.
 */
export function agentPrompt(prompt: string): string {
  return prompt.replaceAll('\u0000', '');
}

/**
 * Where the prompt goes. A `when-long` CLI (claude, codex) gets it as an argument, as it always did, unless
 * it is longer than MAX_PROMPT_ARGUMENT_BYTES: then on stdin. A `when-configured` one (command) gets it on
 * stdin when AGENT_PROMPT_VIA=stdin (`promptViaStdin`), else as an argument. A prompt that would have to be
 * an argument longer than the limit is refused rather than left to fail as `spawn E2BIG`.
 */
export function promptDelivery(kind: AgentKind, stdinPrompt: RunnerSpec['stdinPrompt'], prompt: string, promptViaStdin: boolean): PromptDelivery {
  if (stdinPrompt === 'when-configured' && promptViaStdin) return { via: 'stdin' };
  const bytes = Buffer.byteLength(prompt, 'utf8');
  if (bytes <= MAX_PROMPT_ARGUMENT_BYTES) return { via: 'argument' };
  if (stdinPrompt === 'when-long') return { via: 'stdin' };
  const size = `its prompt is ${grouped(bytes)} bytes (UTF-8), more than the ${grouped(MAX_PROMPT_ARGUMENT_BYTES)} bytes agent-bot passes as a command-line argument (Linux refuses one over ${grouped(131_072)})`;
  const remedy = stdinPrompt === 'when-configured'
    ? 'Set AGENT_PROMPT_VIA=stdin if AGENT_COMMAND can read its prompt on standard input, or shorten the request.'
    : `The ${kind} agent takes its prompt only as an argument: shorten the request, or use AGENT_KIND=claude or codex, which read a long prompt on standard input.`;
  return { via: 'refused', reason: `this request is too long for the ${kind} agent: ${size}. ${remedy}` };
}

function grouped(n: number): string {
  return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}
