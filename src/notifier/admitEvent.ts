import type { BuildStateChangeEvent } from "./buildEvent";
import { eventIdOf } from "./webhookId";

/** What the Lambda runtime tells of the invocation. */
export interface InvocationContext {
  awsRequestId: string;
  /** `arn:<partition>:lambda:<region>:<account>:function:<name>`: where the notifier itself runs. */
  invokedFunctionArn?: string;
  getRemainingTimeInMillis(): number;
}

/** An event the notifier serves, with what every later stage needs to know of it and of its invocation. */
export interface AdmittedEvent {
  event: BuildStateChangeEvent;
  project: string;
  status: string;
  eventId: string;
  /** The invocation's request id: the event's lease names it. */
  requestId: string;
  /** The key the project's status and streak records live under (see projectKey). */
  projectKey: string;
  /** Epoch ms when Lambda ends the invocation. */
  lambdaDeadline: number;
  /** Epoch ms by which deliveries end, leaving the time to record outcomes and report. */
  deadline: number;
}

/** Time kept back from the Lambda deadline to record outcomes and report. */
const DEADLINE_MARGIN_MS = 1500;
/** The only events the notifier acts on: anyone who may invoke it could hand it anything else. */
const BUILD_STATE_CHANGE = { source: "aws.codebuild", detailType: "CodeBuild Build State Change" };

/**
 * Admits a CodeBuild Build State Change event of an account the stack serves (`sourceAccounts`: a
 * comma-separated list, `*` for any account, undefined for no check), with a project and a status;
 * throws, naming what is wrong, for any other event.
 */
export function admitEvent(
  event: BuildStateChangeEvent,
  context: InvocationContext,
  sourceAccounts: string | undefined,
): AdmittedEvent {
  if (event.source !== BUILD_STATE_CHANGE.source || event["detail-type"] !== BUILD_STATE_CHANGE.detailType) {
    throw new Error(
      `Refused: not a CodeBuild Build State Change event (source "${String(event.source)}", ` +
        `detail-type "${String(event["detail-type"])}")`,
    );
  }
  const accounts = sourceAccounts?.split(",");
  if (accounts && !accounts.includes("*") && !accounts.includes(String(event.account))) {
    throw new Error(
      `Refused: a build of account ${JSON.stringify(event.account)}, which this stack does not serve ` +
        "(its sourceAccounts setting)",
    );
  }
  const project = event.detail?.["project-name"];
  const status = event.detail?.["build-status"];
  if (typeof project !== "string" || typeof status !== "string") {
    throw new Error(
      "The event is not a CodeBuild Build State Change: detail.project-name or build-status is missing",
    );
  }
  const lambdaDeadline = Date.now() + context.getRemainingTimeInMillis();
  return {
    event,
    project,
    status,
    eventId: eventIdOf(event),
    requestId: context.awsRequestId,
    projectKey: projectKey(project, event, context),
    lambdaDeadline,
    deadline: lambdaDeadline - DEADLINE_MARGIN_MS,
  };
}

/**
 * The key a project's status and streak records live under. Project names repeat across accounts and
 * regions, and so do build numbers: a build from another account or region than the notifier's own is
 * kept apart, under `<project>@<account>/<region>` (CodeBuild project names hold neither `@` nor `/`).
 */
function projectKey(project: string, event: BuildStateChangeEvent, context: InvocationContext): string {
  const [, , , region, account] = (context.invokedFunctionArn ?? "").split(":");
  const own = (event.account ?? account) === account && (event.region ?? region) === region;
  return own ? project : `${project}@${event.account ?? ""}/${event.region ?? ""}`;
}
