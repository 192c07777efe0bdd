import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/**
 * CPU time of the machine and of the processes under test, from /proc (Linux only; elsewhere the
 * report is skipped). On a shared 2-core machine latency figures mean little without it: a run where
 * other programs took a core is not comparable with one where they did not.
 */
export interface CpuSnapshot {
  /** Jiffies of the whole machine: busy and total, over all cores. */
  busy: number;
  total: number;
  /** Jiffies (user + system) of the watched process trees, by process label (see `labelOf`). */
  groups: Map<string, number>;
}

/** Sums the CPU time of each process under the given roots, grouped by what the process is. */
export function cpuSnapshot(roots: readonly number[]): CpuSnapshot | undefined {
  const machine = readMachineJiffies();
  if (machine === undefined) return undefined;
  const processes = readProcesses();
  const groups = new Map<string, number>();
  // Roots may nest (the bench is the parent of the stack): each process counts once.
  const counted = new Set<number>();
  for (const root of roots) {
    for (const pid of treeOf(root, processes)) {
      if (counted.has(pid)) continue;
      counted.add(pid);
      const label = labelOf(pid, processes);
      groups.set(label, (groups.get(label) ?? 0) + (processes.get(pid)?.jiffies ?? 0));
    }
  }
  return { ...machine, groups };
}

/** A Node process is named by its script (`dev.ts`, `ack.ts`), anything else by its command name. */
function labelOf(pid: number, processes: Map<number, ProcessInfo>): string {
  let argv: string[] = [];
  try {
    argv = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0');
  } catch {
    // exited meanwhile
  }
  // A process that has exited but not been reaped yet has no command line left.
  const name = argv[0] ? path.basename(argv[0]) : processes.get(pid)?.comm ?? 'exited';
  if (name !== 'node') return name;
  const script = argv.slice(1).find((arg) => /\.[cm]?[jt]s$/.test(arg) && !arg.startsWith('-') && !arg.includes('tsx'));
  return script === undefined ? 'node' : path.basename(script);
}

/** "machine 1.93 of 2 cores busy: temporal 0.81, stack 0.78, bench 0.20, others 0.14". */
export function describeCpu(before: CpuSnapshot | undefined, after: CpuSnapshot | undefined): string | undefined {
  if (before === undefined || after === undefined) return undefined;
  const cores = os.cpus().length;
  const elapsed = (after.total - before.total) / cores;
  if (elapsed <= 0) return undefined;
  const share = (jiffies: number): number => jiffies / elapsed;
  const busy = share(after.busy - before.busy);
  let ours = 0;
  const parts: string[] = [];
  for (const [label, value] of after.groups) {
    const used = share(value - (before.groups.get(label) ?? 0));
    ours += used;
    parts.push(`${label} ${used.toFixed(2)}`);
  }
  parts.push(`others ${Math.max(0, busy - ours).toFixed(2)}`);
  return `cpu: machine ${busy.toFixed(2)} of ${cores} cores busy: ${parts.join(', ')}`;
}

function readMachineJiffies(): { busy: number; total: number } | undefined {
  let text: string;
  try {
    text = fs.readFileSync('/proc/stat', 'utf8');
  } catch {
    return undefined;
  }
  const fields = (text.split('\n')[0] ?? '').trim().split(/\s+/).slice(1).map(Number);
  // user nice system idle iowait irq softirq steal: idle and iowait are the only idle columns.
  const total = fields.slice(0, 8).reduce((a, b) => a + b, 0);
  const idle = (fields[3] ?? 0) + (fields[4] ?? 0);
  return { busy: total - idle, total };
}

interface ProcessInfo {
  comm: string;
  ppid: number;
  /** utime + stime, plus the children it has already waited for (cutime + cstime). */
  jiffies: number;
}

function readProcesses(): Map<number, ProcessInfo> {
  const processes = new Map<number, ProcessInfo>();
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let text: string;
    try {
      text = fs.readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue; // exited meanwhile
    }
    // The command name is in parentheses and may hold spaces: the fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ').map(Number);
    const [ppid, utime, stime, cutime, cstime] = [fields[1], fields[11], fields[12], fields[13], fields[14]];
    const comm = text.slice(text.indexOf('(') + 1, text.lastIndexOf(')'));
    processes.set(Number(entry), { comm, ppid: ppid ?? 0, jiffies: (utime ?? 0) + (stime ?? 0) + (cutime ?? 0) + (cstime ?? 0) });
  }
  return processes;
}

function treeOf(root: number, processes: Map<number, ProcessInfo>): number[] {
  const tree = [root];
  for (let i = 0; i < tree.length; i++) {
    for (const [pid, info] of processes) {
      if (info.ppid === tree[i]) tree.push(pid);
    }
  }
  return tree.filter((pid) => processes.has(pid));
}
