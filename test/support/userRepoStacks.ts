import * as fs from "node:fs";
import * as path from "node:path";
import { projectClone } from "./projectClone";
import { RECEIVER_SECRETS, SHIPPED_RECEIVERS } from "./specStack";

/** A copy of the project named otherwise in its Pulumi.yaml, as a second copy in one account is. */
export const RENAMED_PROJECT = "team-webhooks";

/** Writes a stack settings file beside Pulumi.yaml in the clone the commands run in; returns its removal. */
export function writeCloneStack(name: string, lines: string[]): () => void {
  const file = path.join(projectClone(), `Pulumi.${name}.yaml`);
  fs.writeFileSync(file, ["config:", "  aws:region: us-east-1", ...lines, ""].join("\n"));
  return () => fs.rmSync(file, { force: true });
}

/** Renames the project in the clone's Pulumi.yaml; returns the undoing. */
export function renameCloneProject(project: string): () => void {
  const pulumiYaml = path.join(projectClone(), "Pulumi.yaml");
  const original = fs.readFileSync(pulumiYaml, "utf8");
  fs.writeFileSync(pulumiYaml, original.replace(/^name: codebuild-webhooks$/m, `name: ${project}`));
  return () => fs.writeFileSync(pulumiYaml, original);
}

/** The shipped receivers' secrets as `pulumi config set --secret` writes them, in `project`'s namespace. */
export function encryptedSecrets(project: string): string[] {
  return Object.keys(RECEIVER_SECRETS).flatMap((key) => [`  ${project}:${key}:`, "    secure: v1:aaaa:bbbb"]);
}

/**
 * The shipped receivers' secrets, the Jira headers as `pulumi config set --path --secret
 * 'codebuild-webhooks:jiraAuthHeaders.Authorization' ...` writes them: a mapping with a secure leaf, which
 * the CLI hands the program as the decrypted JSON object, the key marked secret.
 */
export const PATH_SECRET_HEADERS = [
  "  codebuild-webhooks:jiraIssuesUrl:",
  "    secure: v1:aaaa:bbbb",
  "  codebuild-webhooks:jiraAuthHeaders:",
  "    Authorization:",
  "      secure: v1:cccc:dddd",
  "  codebuild-webhooks:slackWebhookUrl:",
  "    secure: v1:eeee:ffff",
];

/** Config of the shipped receivers in `project`'s namespace, as its program reads them, with `omit` left out. */
export function namespacedConfig(project: string, omit: string[] = []) {
  const config = Object.entries({ receiversDir: SHIPPED_RECEIVERS, ...RECEIVER_SECRETS }).filter(
    ([key]) => !omit.includes(key),
  );
  return {
    config: Object.fromEntries(config.map(([key, value]) => [`${project}:${key}`, value])),
    secretKeys: Object.keys(RECEIVER_SECRETS)
      .filter((key) => !omit.includes(key))
      .map((key) => `${project}:${key}`),
  };
}
