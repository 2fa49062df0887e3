import { readFileSync, readdirSync } from 'node:fs';

/**
 * CPU time used by processes, from /proc (Linux). Wall-clock figures move with whatever
 * else the machine runs; CPU seconds per tenant barely do, so the bench reports both.
 */
const TICKS_PER_SECOND = 100;

interface ProcStat {
  ppid: number;
  /** utime + stime of the process itself, in ticks. */
  own: number;
  /** cutime + cstime: its children that exited and were reaped. */
  reaped: number;
}

function stat(pid: number): ProcStat | null {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    // fields[0] is field 3 (state): ppid is field 4, utime..cstime are fields 14..17.
    return { ppid: Number(fields[1]), own: Number(fields[11]) + Number(fields[12]), reaped: Number(fields[13]) + Number(fields[14]) };
  } catch {
    return null;
  }
}

/** Seconds of CPU used so far by `pid` and all its descendants, living or reaped. */
export function cpuSecondsOfTree(pid: number): number {
  const all = new Map<number, ProcStat>();
  for (const entry of readdirSync('/proc')) {
    const p = Number(entry);
    if (!Number.isInteger(p)) continue;
    const s = stat(p);
    if (s) all.set(p, s);
  }
  let ticks = 0;
  const visit = (p: number) => {
    const s = all.get(p);
    if (!s) return;
    ticks += s.own + s.reaped;
    for (const [child, cs] of all) if (cs.ppid === p) visit(child);
  };
  visit(pid);
  return ticks / TICKS_PER_SECOND;
}

/** This process's CPU seconds (the floor script and the load generator run here). */
export function cpuSecondsOfThisProcess(): number {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1e6;
}
