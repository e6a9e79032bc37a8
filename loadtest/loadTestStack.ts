import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { VisibilityQueue } from "../local/deadLetterEndpoints";
import type { LambdaProcess } from "../local/lambdaProcess";
import { deployLocally, type LocalDeployment } from "../local/localDeployment";
import { PROJECT } from "../local/stackConfig";
import { AsyncLambda, TIME_SCALE } from "./asyncLambda";
import type { ReceiverFleet } from "./receiverFleet";
import { seededRandom } from "./random";
import type { ReceiverPlan, Scenario } from "./scenario";

export interface LoadTestStack {
  local: LocalDeployment;
  /** The function's timeout in this run: the stack's, scaled as Lambda's retry delays are. */
  timeoutMs: number;
  containers: LambdaProcess[];
  close(): Promise<void>;
}

/** Every body names the event it is about, so that receivers can tell the notices apart. */
const TEMPLATE =
  '{ "eventId": "$EVENT_ID", "project": "$PROJECT", "status": "$STATUS", "build": "$BUILD_NUMBER", ' +
  '"previousStatus": "$PREVIOUS_STATUS" }';

function configKey(receiver: string, holds: string): string {
  return `${receiver.replaceAll("-", "")}${holds}`;
}

/** The receiver's file, as a user commits it to receivers/. */
function receiverFile(plan: ReceiverPlan): string {
  return [
    `projects: ${JSON.stringify(plan.projects)}`,
    `statuses: ${JSON.stringify(plan.statuses)}`,
    ...(plan.onlyOnChange ? ["onlyOnChange: true"] : []),
    `url: { secret: ${configKey(plan.name, "Url")} }`,
    ...(plan.headers ? [`headers: { secret: ${configKey(plan.name, "Headers")} }`] : []),
    ...(plan.signed ? [`signingSecret: { secret: ${configKey(plan.name, "SigningSecret")} }`] : []),
    `template: '${TEMPLATE}'`,
    "",
  ].join("\n");
}

/** The secrets the receiver files name, as `pulumi config set --secret` would hold them. */
function receiverSecrets(plans: ReceiverPlan[], fleet: ReceiverFleet, seed: number): Record<string, string> {
  const random = seededRandom(seed + 1);
  const secrets: Record<string, string> = {};
  for (const plan of plans) {
    secrets[configKey(plan.name, "Url")] = fleet.urlOf(plan.name);
    if (plan.headers) {
      secrets[configKey(plan.name, "Headers")] = JSON.stringify({
        Authorization: `Bearer token-of-${plan.name}`,
      });
    }
    if (plan.signed) {
      const key = Buffer.from(Array.from({ length: 32 }, () => Math.floor(random() * 256)));
      secrets[configKey(plan.name, "SigningSecret")] = `whsec_${key.toString("base64")}`;
    }
  }
  return secrets;
}

/**
 * Deploys the stack as `npm start` does (an emulated `pulumi up` of index.ts onto the local DynamoDB and
 * parameter store, the notifier's code archive as the program serialized it) with the scenario's
 * receivers committed as receiver files, and starts the containers, all at once as in a burst.
 */
export function deployLoadTestStack(
  scenario: Scenario,
  fleet: ReceiverFleet,
  containerCount: number,
  progress: (line: string) => void,
): Promise<LoadTestStack> {
  return deployWithReceiverFiles(
    new Map(scenario.receivers.map((plan) => [plan.name, receiverFile(plan)])),
    receiverSecrets(scenario.receivers, fleet, scenario.seed),
    containerCount,
    progress,
  );
}

/**
 * Deploys the stack with `files` (receiver name to the YAML a user commits to receivers/) and `secrets`
 * (as `pulumi config set --secret` holds them), and starts the containers.
 */
export async function deployWithReceiverFiles(
  files: ReadonlyMap<string, string>,
  secrets: Record<string, string>,
  containerCount: number,
  progress: (line: string) => void,
): Promise<LoadTestStack> {
  const receiversDir = fs.mkdtempSync(path.join(os.tmpdir(), "codebuild-webhooks-loadtest-receivers-"));
  try {
    for (const [name, file] of files) fs.writeFileSync(path.join(receiversDir, `${name}.yaml`), file);
    const local = await deployLocally({
      // A stack of its own, with the project's default settings: never one of the user's stacks.
      stack: { name: "loadtest" },
      config: { receiversDir, ...secrets },
      secretKeys: Object.keys(secrets).map((key) => `${PROJECT}:${key}`),
      progress,
    });
    try {
      progress(`Starting ${containerCount} Lambda containers`);
      const containers = await Promise.all(
        Array.from({ length: containerCount }, () => local.startContainer()),
      );
      return {
        local,
        timeoutMs: local.deployment.notifierSettings.timeoutMs / TIME_SCALE,
        containers,
        close: () => local.close(),
      };
    } catch (error) {
      await local.close();
      throw error;
    }
  } finally {
    fs.rmSync(receiversDir, { recursive: true, force: true });
  }
}

/**
 * Runs `use` with Lambda's asynchronous invocation over the stack's containers and its dead-letter queue,
 * then stops them and the stack.
 */
export async function withAsyncLambda<T>(
  stack: LoadTestStack,
  use: (lambda: AsyncLambda, deadLetters: VisibilityQueue) => Promise<T>,
): Promise<T> {
  const deadLetters = new VisibilityQueue();
  const lambda = new AsyncLambda(stack.containers, { timeoutMs: stack.timeoutMs, deadLetters });
  try {
    return await use(lambda, deadLetters);
  } finally {
    await lambda.close();
    await stack.close();
  }
}
