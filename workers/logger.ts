/** One line per event: a constant message and a metadata object, as JSON so it can be shipped and searched. */
export type Logger = (message: string, meta?: Record<string, unknown>) => void;

export function createLogger(component: string, write: (line: string) => void = (line) => process.stderr.write(line + '\n')): Logger {
  return (message, meta = {}) => {
    write(JSON.stringify({ ts: new Date().toISOString(), component, message, ...meta }));
  };
}
