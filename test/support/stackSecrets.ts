/** Values for the secrets the shipped receivers reference, as `pulumi config set --secret` would set them. */
export const RECEIVER_SECRETS: Record<string, string> = {
  jiraIssuesUrl: "https://example.atlassian.net/rest/api/2/issue?token=jira-url-secret",
  jiraAuthHeaders: JSON.stringify({ Authorization: "Basic amlyYS1oZWFkZXItc2VjcmV0" }),
  slackWebhookUrl: "https://hooks.slack.com/services/T000/B000/slack-url-secret",
};

export const RECEIVER_SECRET_KEYS = Object.keys(RECEIVER_SECRETS).map((key) => `codebuild-webhooks:${key}`);
