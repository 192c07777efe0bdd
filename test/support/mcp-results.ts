import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** The text of an MCP tool result (agent-bot's tools answer text, JSON included). */
export function toolText(result: CallToolResult): string {
  return result.content.map((block) => (block.type === 'text' ? block.text : '')).join('\n');
}
