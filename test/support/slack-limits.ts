/**
 * The message limits Slack enforces, answered the way Slack answers them.
 *
 * - `text`: https://docs.slack.dev/reference/methods/chat.postMessage ("Truncating content"). The page says Slack
 *   truncates text over 40,000 characters, yet lists `msg_too_long`, and Slack has since been seen answering
 *   `msg_too_long` for much shorter text (seratch/ChatGPT-in-Slack#102, a Slack engineer: "the platform now has a
 *   smaller limit"). So the limit and the reaction are options of the stand-in.
 * - Blocks: https://docs.slack.dev/reference/block-kit/blocks/section-block (text max 3,000 characters),
 *   https://docs.slack.dev/reference/block-kit/blocks (at most 50 blocks in a message). Slack's real answer to an
 *   over-long section is `invalid_blocks` with `errors: ["must be less than 3001 characters [json-pointer:/blocks/0/text/text]"]`
 *   and the same lines as `[ERROR] ...` in `response_metadata.messages` (which @slack/web-api 8 logs).
 */
export const SLACK_SECTION_TEXT_MAX = 3000;
export const SLACK_BLOCKS_MAX = 50;
export const SLACK_TEXT_MAX = 40_000;

export interface SlackErrorAnswer {
  ok: false;
  error: string;
  errors?: string[];
  response_metadata?: { messages: string[] };
}

function blockErrors(errors: string[]): SlackErrorAnswer {
  return { ok: false, error: 'invalid_blocks', errors, response_metadata: { messages: errors.map((e) => `[ERROR] ${e}`) } };
}

/** Parses the `blocks` argument (a JSON string in form bodies, an array in JSON bodies). */
export function parseBlocks(value: unknown): { blocks?: unknown[]; error?: SlackErrorAnswer } {
  if (value === undefined || value === '') return {};
  let parsed: unknown = value;
  if (typeof value === 'string') {
    try {
      parsed = JSON.parse(value);
    } catch {
      return { error: { ok: false, error: 'invalid_blocks_format' } };
    }
  }
  if (!Array.isArray(parsed)) return { error: { ok: false, error: 'invalid_blocks_format' } };
  return { blocks: parsed };
}

/** Checks blocks against the limits above; undefined when they pass. */
export function checkBlocks(blocks: unknown[]): SlackErrorAnswer | undefined {
  if (blocks.length > SLACK_BLOCKS_MAX) return blockErrors([`no more than ${SLACK_BLOCKS_MAX} items allowed [json-pointer:/blocks]`]);
  const errors: string[] = [];
  blocks.forEach((block, index) => {
    const b = block as { type?: unknown; text?: { text?: unknown } };
    if (typeof b !== 'object' || b === null || typeof b.type !== 'string') {
      errors.push(`missing required field: type [json-pointer:/blocks/${index}]`);
      return;
    }
    if (b.type === 'section' && typeof b.text?.text === 'string' && b.text.text.length > SLACK_SECTION_TEXT_MAX) {
      errors.push(`must be less than ${SLACK_SECTION_TEXT_MAX + 1} characters [json-pointer:/blocks/${index}/text/text]`);
    }
  });
  return errors.length > 0 ? blockErrors(errors) : undefined;
}
