import { spawn } from "node:child_process";
import { PROJECT_ROOT } from "../local/stackConfig";

/** DynamoDB on the loopback interface, in a process of its own. */
export interface DynamoDbProcess {
  endpoint: string;
  close(): Promise<void>;
}

// dynalite with tables ACTIVE at once (as local/registryDb.ts starts it), printing the port it listens on.
const SERVER_SOURCE = `
const server = require("dynalite")({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
server.listen(0, "127.0.0.1", () => console.log(server.address().port));
process.on("disconnect", () => process.exit());
`;

/**
 * Starts dynalite in a child process. In the bench's own process its work (a write per receiver, twice)
 * would hold up the receivers' answers and count against the function being measured; apart, it uses
 * the machine's other core as a real DynamoDB uses machines of its own.
 */
export function startDynamoDbProcess(): Promise<DynamoDbProcess> {
  const child = spawn(process.execPath, ["-e", SERVER_SOURCE], {
    cwd: PROJECT_ROOT,
    stdio: ["ignore", "pipe", "inherit", "ipc"],
  });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  return new Promise((resolve, reject) => {
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`dynalite exited with status ${code} before listening`)));
    // Piped, as stdio says.
    const stdout = child.stdout as NodeJS.ReadableStream;
    stdout.setEncoding("utf8");
    stdout.once("data", (port: string) =>
      resolve({
        endpoint: `http://127.0.0.1:${port.trim()}`,
        close: async () => {
          child.kill();
          await exited;
        },
      }),
    );
  });
}
