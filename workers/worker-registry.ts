import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** How often a worker says it is alive in the data dir, and how old a word may be to still count (ms). */
const REFRESH_MS = 30_000;
const FRESH_MS = 3 * REFRESH_MS;

/**
 * Each worker writes `$AGENT_BOT_DATA_DIR/workers/<worker id>.json` at start and every 30 s. A worker that
 * sees another worker's fresh file knows the data dir is shared (a network volume): then any worker
 * reaches any thread's workspace and session files, and threads need not stick to one worker.
 */
export class WorkerRegistry {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly dataDir: string,
    private readonly workerId: string,
    /** AGENT_SHARED_DATA_DIR: `auto` detects, `true`/`false` say so. */
    private readonly setting: 'auto' | 'true' | 'false',
  ) {}

  start(): void {
    this.write();
    this.timer = setInterval(() => this.write(), REFRESH_MS);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    fs.rmSync(this.file(this.workerId), { force: true });
  }

  /** Whether the data dir is shared with other workers (so threads are not pinned). */
  shared(now = Date.now()): boolean {
    if (this.setting !== 'auto') return this.setting === 'true';
    let names: string[];
    try {
      names = fs.readdirSync(path.join(this.dataDir, 'workers'));
    } catch {
      return false;
    }
    return names.some((name) => {
      if (!name.endsWith('.json') || name === `${this.workerId}.json`) return false;
      try {
        return now - fs.statSync(path.join(this.dataDir, 'workers', name)).mtimeMs < FRESH_MS;
      } catch {
        return false;
      }
    });
  }

  private write(): void {
    try {
      const file = this.file(this.workerId);
      fs.mkdirSync(path.dirname(file), { recursive: true });
      fs.writeFileSync(file, JSON.stringify({ id: this.workerId, host: os.hostname(), pid: process.pid, at: new Date().toISOString() }));
    } catch {
      // A read-only or full disk must not stop the worker; it only loses the detection.
    }
  }

  private file(id: string): string {
    return path.join(this.dataDir, 'workers', `${id.replace(/[^\w.-]/g, '_')}.json`);
  }
}
