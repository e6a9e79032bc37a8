import { StackValidationPolicy } from "@pulumi/policy";
import { allowedActions, iamStatements } from "./iamPolicyDocument";
import { PARAMETER_ARN_CONTEXT, decryptStatements, matchingConditionValues } from "./notifierDecryptScoped";
import { PARAMETER_READ_ACTIONS } from "./parameterActions";
import { grantTargets, staysUnder, targetStaysUnder } from "./parameterArns";
import {
  ReportStackViolation,
  StackFunction,
  StackResource,
  forEachKnown,
  functionRoles,
  isNotifierRole,
  notifierRoles,
  parameterPathOf,
  roleInlineDocuments,
  stackRoles,
  validateWebhooksStack,
} from "./stackResources";
import { WEBHOOKS_PATH, isParameterPath, isUnderWebhooksPath } from "./webhooksScope";

/**
 * The parameters a registry item names, with the attribute naming each: every `*_param_name` attribute
 * (`hook_url_param_name`, `hook_headers_param_name`...), and each entry of a `*_param_names` map (a
 * receiver's body secrets, `secret_param_names.<NAME>`).
 */
function parameterNamesOf(item: unknown): [string, string][] {
  let attributes: unknown;
  try {
    attributes = JSON.parse(String(item));
  } catch {
    return [];
  }
  if (typeof attributes !== "object" || attributes === null) return [];
  return Object.entries(attributes as Record<string, { S?: unknown; M?: unknown }>).flatMap(
    ([attribute, value]): [string, string][] => {
      if (attribute.endsWith("_param_name") && typeof value?.S === "string") return [[attribute, value.S]];
      if (!attribute.endsWith("_param_names") || typeof value?.M !== "object" || value.M === null) return [];
      return Object.entries(value.M as Record<string, { S?: unknown }>).flatMap(
        ([name, entry]): [string, string][] =>
          typeof entry?.S === "string" ? [[`${attribute}.${name}`, entry.S]] : [],
      );
    },
  );
}

/** The path everything of the stack keeps to, found on its functions; undefined after reporting why there is none. */
function stackPath(
  functions: readonly StackFunction[],
  report: ReportStackViolation,
): { path: string; from: string } | undefined {
  const paths: { path: string; from: string }[] = [];
  forEachKnown(functions, ({ fn: notifier, shown }) => {
    const path = parameterPathOf(notifier);
    paths.push({ path, from: `PARAMETER_PATH of ${shown.charAt(0).toLowerCase()}${shown.slice(1)}` });
    if (isParameterPath(path)) return;
    report({
      urn: notifier.urn,
      message:
        `${shown} has PARAMETER_PATH "${path}", which is not a parameter path under /webhooks/: ` +
        `it starts with /webhooks/, ends with /, and holds letters, digits and _.- between. Set the stack's ` +
        `parameterPath to such a path.`,
    });
  });
  if (paths.some(({ path }) => !isParameterPath(path))) return undefined;
  const distinct = [...new Set(paths.map(({ path }) => path))];
  if (distinct.length === 1) return paths[0];
  report({
    message:
      `The stack's Lambda functions have different PARAMETER_PATHs (${distinct.join(", ")}): a stack keeps its ` +
      `receiver parameters under one path. Give every function the stack's parameterPath.`,
  });
  return undefined;
}

/**
 * In a codebuild-webhooks stack, everything that names receiver parameters keeps to the stack's own
 * path (its notifier's `PARAMETER_PATH`: the function running as the notifier's role), so two stacks of one account never share secrets: its
 * parameters, its roles' parameter reads, its kms:Decrypt encryption-context conditions, its registry
 * items. What reaches beyond /webhooks/ altogether is left to the resource policies.
 */
export function stackParameterPathViolations(
  resources: readonly StackResource[],
  report: ReportStackViolation,
): void {
  const roles = stackRoles(resources);
  const notifiers = notifierRoles(roles);
  // The notifier: the functions running as the notifier's role (one, unless notifier-only-reader objects).
  const functions = functionRoles(resources, roles).filter(({ role }) => isNotifierRole(role, notifiers));
  if (functions.length === 0) return;
  const found = stackPath(functions, report);
  if (!found) return;
  const { path, from } = found;
  const beyond = `beyond this stack's parameter path "${path}" (${from})`;
  const arnPattern = `"arn:aws:ssm:<region>:<account>:parameter${path}*"`;
  forEachKnown(resources, (resource) => {
    if (resource.type === "aws:ssm/parameter:Parameter") {
      const name: unknown = resource.props.name;
      if (typeof name === "string" && isUnderWebhooksPath(name) && !isUnderWebhooksPath(name, path)) {
        report({
          urn: resource.urn,
          message:
            `Parameter "${name}" is outside this stack's parameter path "${path}" (${from}): this stack's ` +
            `notifier may not read it, another stack's may. Name it "${path}<receiver>/url".`,
        });
      }
    }
    if (resource.type === "aws:dynamodb/tableItem:TableItem") {
      for (const [attribute, name] of parameterNamesOf(resource.props.item)) {
        if (isUnderWebhooksPath(name, path)) continue;
        report({
          urn: resource.urn,
          message:
            `Registry item names parameter "${name}" (${attribute}) outside this stack's parameter path ` +
            `"${path}" (${from}): the notifier may not read it. Name the receiver's parameters under "${path}".`,
        });
      }
    }
    // The notifier's grants; other roles may not read /webhooks/ at all, as notifier-only-reader says.
    const held = roleInlineDocuments(resource, roles);
    const notifierDocuments = held && isNotifierRole(held.role, notifiers) ? held.documents : [];
    for (const { label, document } of notifierDocuments) {
      for (const statement of iamStatements(document)) {
        const reads = allowedActions(statement, PARAMETER_READ_ACTIONS);
        if (reads.length === 0) continue;
        for (const target of grantTargets(statement)) {
          if (!targetStaysUnder(target, WEBHOOKS_PATH) || targetStaysUnder(target, path)) continue;
          report({
            urn: resource.urn,
            message:
              `${label} statement ${statement.label} allows ${reads.join(", ")} on ${target.shown}, ${beyond}: ` +
              `the notifier would read other stacks' receiver credentials. Limit Resource to ${arnPattern}.`,
          });
        }
      }
    }
    for (const { label, statement } of decryptStatements(notifierDocuments)) {
      const contexts = matchingConditionValues(statement, PARAMETER_ARN_CONTEXT);
      const within = (limit: string) =>
        contexts.some((values) => values.every((value) => staysUnder(value, limit)));
      if (!within(WEBHOOKS_PATH) || within(path)) continue;
      report({
        urn: resource.urn,
        message:
          `${label} statement ${statement.label} allows kms:Decrypt with ${PARAMETER_ARN_CONTEXT} ` +
          `${JSON.stringify(contexts.flat())}, ${beyond}: the notifier could decrypt other stacks' receiver ` +
          `credentials. Limit it to ${arnPattern}.`,
      });
    }
  });
}

export const stackParameterPath: StackValidationPolicy = {
  name: "stack-parameter-path",
  description:
    "Each codebuild-webhooks stack keeps to its own parameter path, so stacks in one account never share " +
    "secrets: the PARAMETER_PATH of the notifier (the function running as the notifier's role; /webhooks/ " +
    "when it has none) is a folder under " +
    "/webhooks/, and the stack's parameters, its notifier role's ssm:GetParameter* grants and kms:Decrypt " +
    "kms:EncryptionContext:PARAMETER_ARN conditions, and the parameter names of its registry items stay " +
    "within it (parameter<path>*). Checked on the whole stack, at the end of a preview and of an update. " +
    "To fix: name parameters, grants and conditions under the stack's parameterPath.",
  enforcementLevel: "mandatory",
  validateStack: validateWebhooksStack(stackParameterPathViolations),
};
