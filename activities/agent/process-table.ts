import fs from 'node:fs';

/**
 * Reads the process table from /proc (Linux). Where there is no /proc, it falls back to `kill(pid, 0)`,
 * which cannot tell a zombie from a live process nor read a command line.
 */
const HAS_PROC = fs.existsSync('/proc/self/stat');

interface ProcStat {
  state: string;
  pgrp: number;
}

/** `/proc/<pid>/stat`: the command name may hold spaces and parentheses, so fields start after the last `)`. */
function readStat(pid: number | string): ProcStat | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0] ?? '', pgrp: Number(fields[2]) };
}

/** A zombie (Z) or dead (X) process has exited; it only waits for its parent to collect its status. */
function live(stat: ProcStat | undefined): boolean {
  return stat !== undefined && stat.state !== 'Z' && stat.state !== 'X';
}

function signalZeroSucceeds(target: number): boolean {
  try {
    process.kill(target, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether process `pid` exists and has not exited (a zombie counts as exited). */
export function isRunning(pid: number): boolean {
  return HAS_PROC ? live(readStat(pid)) : signalZeroSucceeds(pid);
}

/** Whether any process of group `pgid` exists and has not exited. */
export function groupRunning(pgid: number): boolean {
  if (!HAS_PROC) return signalZeroSucceeds(-pgid);
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const stat = readStat(entry);
    if (stat?.pgrp === pgid && live(stat)) return true;
  }
  return false;
}

/** The arguments process `pid` was started with, or undefined when it is gone or they cannot be read. */
export function commandLine(pid: number): string[] | undefined {
  if (!HAS_PROC) return undefined;
  try {
    return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').filter((arg) => arg !== '');
  } catch {
    return undefined;
  }
}
