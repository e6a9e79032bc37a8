import * as path from "node:path";
import type { ProgramRunOptions } from "../../local/programUnderMocks";
import { PROJECT, readStackFile, type Stack } from "../../local/stackConfig";

/**
 * What the product ships for users to replace, as it ships it: the receivers of receivers/ and the dev
 * stack's settings file (every setting written out). The specs deploy these, never the user's own files.
 */
export const SHIPPED = path.join(__dirname, "..", "fixtures", "shipped");

/** The receivers the product ships in receivers/, which the specs deploy. */
export const SHIPPED_RECEIVERS = path.join(SHIPPED, "receivers");

/** The stack the specs deploy: dev, with the settings of the shipped stack file. */
export const SPEC_STACK = { name: "dev", file: path.join(SHIPPED, "Pulumi.dev.yaml") } satisfies Stack;

/** Values for the secrets the shipped receivers name, as `pulumi config set --secret` would set them. */
export const RECEIVER_SECRETS: Record<string, string> = {
  jiraIssuesUrl: "https://example.atlassian.net/rest/api/2/issue?token=jira-url-secret",
  jiraAuthHeaders: JSON.stringify({ Authorization: "Basic amlyYS1oZWFkZXItc2VjcmV0" }),
  slackWebhookUrl: "https://hooks.slack.com/services/T000/B000/slack-url-secret",
};

export const RECEIVER_SECRET_KEYS = Object.keys(RECEIVER_SECRETS).map((key) => `${PROJECT}:${key}`);

/**
 * A run of the spec stack: its settings, the shipped receivers (unless `config` names a `receiversDir`)
 * with their secrets set, and `config` over them; `secretKeys` are the keys set with `--secret`.
 */
export function specRun(
  config: Record<string, string> = {},
  secretKeys: string[] = RECEIVER_SECRET_KEYS,
): Pick<ProgramRunOptions, "stack" | "config" | "secretKeys"> {
  return {
    stack: SPEC_STACK,
    config: { receiversDir: SHIPPED_RECEIVERS, ...RECEIVER_SECRETS, ...config },
    secretKeys,
  };
}

/**
 * A run of the spec stack in a copy of the project named `project` in its Pulumi.yaml: every setting of
 * the spec stack's file in that project's namespace (its file holds them in the shipped one), so that the
 * run depends on no default of Pulumi.yaml, which a fork may change; the receivers' secrets set with
 * `--secret`, and `config` over them.
 */
export function specRunAs(
  project: string,
  config: Record<string, string> = {},
): Pick<ProgramRunOptions, "stack" | "config" | "secretKeys" | "project"> {
  const settings: Record<string, string> = {};
  for (const [key, setting] of readStackFile(SPEC_STACK.file)) {
    if (key.startsWith(`${PROJECT}:`) && !setting.encrypted)
      settings[key.slice(PROJECT.length + 1)] = setting.value;
  }
  return {
    ...specRun(
      { ...settings, receiversDir: SHIPPED_RECEIVERS, ...config },
      Object.keys(RECEIVER_SECRETS).map((key) => `${project}:${key}`),
    ),
    project,
  };
}
