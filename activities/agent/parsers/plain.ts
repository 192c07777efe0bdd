import type { LineParser } from '../events';

/** `command` runner: every line is plain output. */
export const parsePlainLine: LineParser = (line) => [{ kind: 'output', line, stream: 'stdout' }];
