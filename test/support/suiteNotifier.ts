import { deployNotifier, type DeployedNotifier } from "./deployedNotifier";
import { startReceiver, type Receiver, type ResponseScript } from "./receivers";
import { RECEIVER_SECRET_KEYS, RECEIVER_SECRETS } from "./specStack";

/** The notifier a suite's tests share, and the receivers they started. */
export interface SuiteNotifier {
  /** The deployed notifier; there once the suite's `before` hooks have run. */
  readonly stack: DeployedNotifier;
  /** Starts a loopback receiver, closed when the suite ends. */
  receiver(script?: ResponseScript): Promise<Receiver>;
}

/**
 * Deploys the notifier on local stand-ins before the suite's tests (call it in a `describe`), and closes
 * it, with every receiver its tests started, after them.
 */
export function deployForSuite(): SuiteNotifier {
  let stack: DeployedNotifier | undefined;
  const receivers: Receiver[] = [];
  before(async function () {
    this.timeout(60_000);
    stack = await deployNotifier(RECEIVER_SECRETS, RECEIVER_SECRET_KEYS);
  });
  after(async () => {
    await Promise.all(receivers.map((receiver) => receiver.close()));
    await stack?.close();
  });
  return {
    get stack() {
      if (!stack) throw new Error("The notifier is deployed in the suite's before hook");
      return stack;
    },
    async receiver(script) {
      const started = await startReceiver(script);
      receivers.push(started);
      return started;
    },
  };
}
