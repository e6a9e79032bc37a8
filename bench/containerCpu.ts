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

/** CPU time the process has used so far, in all its threads (JavaScript, GC and I/O), in milliseconds. */
export function cpuTimeMs(pid: number): number {
  let nanoseconds = 0;
  for (const thread of fs.readdirSync(`/proc/${pid}/task`)) {
    try {
      nanoseconds += Number(fs.readFileSync(`/proc/${pid}/task/${thread}/schedstat`, "utf8").split(" ")[0]);
    } catch {
      // A thread that ended while being read.
    }
  }
  return nanoseconds / 1e6;
}
