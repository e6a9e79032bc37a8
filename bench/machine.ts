import * as os from "node:os";

/** The machine a run measured on: figures from different machines do not compare. */
export interface Machine {
  cpuModel: string;
  cpus: number;
  memoryGiB: number;
  /** The bench's own Node.js. */
  node: string;
  /** The Node.js the functions ran on: the release of their Lambda runtime (bench/runtimeNode.ts). */
  functionsNode?: string;
  kernel: string;
  /** The 1-minute load average when the run began: other work on the machine skews the figures. */
  loadAverageAtStart: number;
}

export function describeMachine(): Machine {
  return {
    cpuModel: os.cpus()[0]?.model ?? "unknown",
    cpus: os.availableParallelism(),
    memoryGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    node: process.version,
    kernel: `${os.type()} ${os.release()}`,
    loadAverageAtStart: Math.round(os.loadavg()[0] * 100) / 100,
  };
}
