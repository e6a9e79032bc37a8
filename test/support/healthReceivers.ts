import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import { startReceiver, type RecordedRequest, type Receiver, type ResponseStep } from "./receivers";

/** The Jira actions of a receiver file's `on`, as the registry item holds them. */
export const JIRA_ACTIONS: AttributeValue = {
  M: {
    broken: {
      M: {
        path: { S: "/rest/api/2/issue" },
        template: {
          S: '{"fields": {"summary": "$PROJECT is failing", "description": "$BUILD_URL", "transition": "$TRANSITION"}}',
        },
        remember: { M: { JIRA_ISSUE: { S: "key" } } },
      },
    },
    "still-failing": {
      M: {
        path: { S: "/rest/api/2/issue/$JIRA_ISSUE/comment" },
        template: { S: '{"body": "Still failing ($FAILURE_COUNT builds): build #$BUILD_NUMBER"}' },
      },
    },
    fixed: {
      M: {
        path: { S: "/rest/api/2/issue/$JIRA_ISSUE/transitions" },
        template: { S: '{"transition": {"id": "31"}, "builds": "$FAILURE_COUNT"}' },
      },
    },
  },
};

/**
 * Actions of an alert named by the project (as Opsgenie's alias or PagerDuty's dedup_key name it): nothing
 * is remembered, and the fix of any streak closes the same alert.
 */
export const ALIAS_ALERT_ACTIONS: AttributeValue = {
  M: {
    broken: { M: { path: { S: "/alerts" }, template: { S: '{"alias": "$PROJECT"}' } } },
    fixed: { M: { path: { S: "/alerts/$PROJECT/close" }, template: { S: '{"note": "fixed"}' } } },
  },
};

/** What a Jira-like receiver was asked: the kind of call and, for follow-ups, the issue it concerns. */
export function calls(receiver: Receiver): string[] {
  return receiver.requests.map((request) => {
    const path = request.path.replace(/^\/hook/, "");
    if (path === "/rest/api/2/issue") return "create";
    const [, issue, what] = /^\/rest\/api\/2\/issue\/([^/]+)\/(comment|transitions)$/.exec(path) ?? [];
    return `${what} ${decodeURIComponent(issue ?? "?")}`;
  });
}

/** How a Jira-like receiver answers: creating an issue, and following one up. */
export interface JiraAnswers {
  /** By default 201 `{"id": …, "key": "OPS-<n>"}` for the n-th issue created. */
  create?: (request: RecordedRequest, issues: number) => ResponseStep;
  /** By default 204 for a transition, 201 for a comment. */
  followUp?: (request: RecordedRequest) => ResponseStep;
}

/** A loopback receiver that answers as Jira's REST API does (or as `answers` say). */
export function startJiraReceiver(answers: JiraAnswers = {}): Promise<Receiver> {
  const create =
    answers.create ??
    ((_request: RecordedRequest, issues: number) => ({
      status: 201,
      body: JSON.stringify({ id: String(10000 + issues), key: `OPS-${issues}` }),
    }));
  const followUp =
    answers.followUp ??
    ((request: RecordedRequest) => ({ status: request.path.endsWith("/transitions") ? 204 : 201 }));
  let issues = 0;
  return startReceiver((request) =>
    request.path.endsWith("/rest/api/2/issue") ? create(request, (issues += 1)) : followUp(request),
  );
}
