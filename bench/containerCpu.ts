import * as fs from "node:fs";

/**
 * The process id of the running container of a function: the child of this process whose command line
 * names the function's code folder. Read from /proc, since the container hides its process.
 */
export function findContainerPid(codeDir: string): number {
  for (const entry of fs.readdirSync("/proc")) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, "utf8");
      // The fields after the command name, which is in parentheses and may itself contain spaces.
      const parentPid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
      if (parentPid !== process.pid) continue;
      const commandLine = fs.readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
      if (commandLine.includes(codeDir)) return Number(entry);
    } catch {
      // The process ended while being read: not the container.
    }
  }
  throw new Error(`No container process runs ${codeDir}`);
}

/** CPU time a process has used so far, in milliseconds, in all its threads and in its JavaScript thread. */
export interface ContainerCpu {
  /** Every thread: JavaScript, V8's helpers (concurrent garbage collection, compilation), libuv's. */
  totalMs: number;
  /** The main thread, which runs the JavaScript (its id is the process's). */
  jsThreadMs: number;
}

export function cpuTimeMs(pid: number): ContainerCpu {
  let total = 0;
  let jsThread = 0;
  for (const thread of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      const nanoseconds = Number(
        fs.readFileSync(`/proc/${pid}/task/${thread}/schedstat`, "utf8").split(" ")[0],
      );
      total += nanoseconds;
      if (Number(thread) === pid) jsThread = nanoseconds;
    } catch {
      // A thread that ended while being read.
    }
  }
  return { totalMs: total / 1e6, jsThreadMs: jsThread / 1e6 };
}

/** The CPU used between two readings. */
export function cpuSince(before: ContainerCpu, after: ContainerCpu): ContainerCpu {
  return { totalMs: after.totalMs - before.totalMs, jsThreadMs: after.jsThreadMs - before.jsThreadMs };
}
