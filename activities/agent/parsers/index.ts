export { parseClaudeLine } from './claude';
export { parseCodexLine } from './codex';
export { parseCursorLine } from './cursor';
export { parsePlainLine } from './plain';
