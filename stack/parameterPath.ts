import { RunError } from "@pulumi/pulumi/errors";
import { fullConfigKey, setCommand } from "../src/receivers/configKeys";
import { parameterName } from "../src/receivers/registryItem";

const CONFIG_KEY = "parameterPath";
/** Every path stays under the folder the policy pack guards and the IAM grants are written for. */
const REQUIRED_PREFIX = "/webhooks/";
/** The characters SSM allows in a parameter name between slashes. */
const SEGMENT = /^[A-Za-z0-9_.-]+$/;
/** SSM nests parameter names at most fifteen levels deep; a receiver and a kind take the last two. */
const MAX_PATH_LEVELS = 13;
/**
 * SSM allows 1011 characters for a name together with the ARN before it
 * (`arn:<partition>:ssm:<region>:<account>:parameter`, up to about 60 characters): names stay within 950.
 */
const MAX_NAME_LENGTH = 950;

/**
 * The stack's `parameterPath`, checked before any resource is registered: under `/webhooks/`, ending in
 * `/`, made of segments SSM accepts, and short enough for every receiver's longest parameter name.
 */
export function checkedParameterPath(parameterPath: string, receiverNames: readonly string[]): string {
  const problems: string[] = [];
  if (!parameterPath.startsWith(REQUIRED_PREFIX) || !parameterPath.endsWith("/")) {
    problems.push(`it must start with ${REQUIRED_PREFIX} and end with "/", e.g. /webhooks/staging/`);
  }
  const segments = parameterPath.replace(/^\//, "").replace(/\/$/, "").split("/");
  const badSegments = segments.filter((segment) => !SEGMENT.test(segment));
  if (badSegments.length > 0) {
    problems.push(
      `each level between slashes needs one or more letters, digits, "_", "-" or "." ` +
        `(${badSegments.map((segment) => JSON.stringify(segment)).join(", ")} cannot be one)`,
    );
  }
  if (segments.length > MAX_PATH_LEVELS) {
    problems.push(
      `it has ${segments.length} levels; SSM nests names at most 15 deep, and the receiver and the ` +
        `parameter take two: use at most ${MAX_PATH_LEVELS}`,
    );
  }
  for (const receiver of receiverNames) {
    const longest = parameterName(parameterPath, receiver, "signing-secret");
    if (longest.length > MAX_NAME_LENGTH) {
      problems.push(
        `receiver ${receiver}'s parameter names would be up to ${longest.length} characters long; SSM ` +
          `allows ${MAX_NAME_LENGTH} here: shorten the path or the receiver's file name`,
      );
    }
  }
  if (problems.length === 0) return parameterPath;
  throw new RunError(
    `${fullConfigKey(CONFIG_KEY)} ${JSON.stringify(parameterPath)} cannot name the receivers' parameters:\n` +
      problems.map((problem) => `- ${problem}`).join("\n") +
      `\nSet it with: ${setCommand(CONFIG_KEY, "/webhooks/<stack>/", false)}`,
  );
}
