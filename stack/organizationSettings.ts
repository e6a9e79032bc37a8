import type { Config } from "@pulumi/pulumi";
import { RunError } from "@pulumi/pulumi/errors";
import { getProject } from "@pulumi/pulumi/metadata";
import { getConfig } from "@pulumi/pulumi/runtime/config";
import { ACCOUNT_ID, REGION } from "../src/receivers/awsIdentifiers";

/** A region that forwards its CodeBuild events to the hub, in the hub's account or in another one. */
export interface Spoke {
  region: string;
  /** The deploy role the hub assumes to create the spoke in another account; absent for the hub's account. */
  roleArn?: string;
  /** The account of `roleArn`; absent for the hub's account. */
  account?: string;
  /** How messages name the spoke: its config entry. */
  label: string;
}

/** The stack settings that let builds of other accounts and regions reach the hub's notifier. */
export interface OrganizationSettings {
  /** Other accounts the hub's event bus accepts events from. */
  sourceAccounts: string[];
  /** The AWS Organizations organization whose accounts the hub's event bus accepts events from. */
  organizationId?: string;
  spokes: Spoke[];
  /** The region the stack deploys to, as the AWS provider reads it, and what set it; absent when unset. */
  hubRegion?: { name: string; setBy: string };
  /** Concurrent executions reserved for the notifier; absent for none. */
  notifierReservedConcurrency?: number;
}

const ORGANIZATION_ID = /^o-[a-z0-9]{10,32}$/;
/** `arn:<partition>:iam::<account>:role/<path/name>`, with the characters IAM allows in paths and names. */
const ROLE_ARN = /^arn:aws(?:-[a-z]+)*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*[\w+=,.@-]{1,64}$/;
/** The value Pulumi.yaml gives notifierReservedConcurrency: no reservation. */
const NO_RESERVATION = -1;

/** Problems are collected, so that one preview names all of them. */
type Problems = string[];

function keyOf(key: string): string {
  return `${getProject()}:${key}`;
}

function shown(value: unknown): string {
  return JSON.stringify(value) ?? String(value);
}

/** A list setting: YAML in the stack file, which Pulumi hands the program as JSON. */
function readObject(config: Config, key: string, problems: Problems): unknown {
  try {
    return config.getObject<unknown>(key);
  } catch {
    problems.push(`${keyOf(key)} is not valid JSON; write it as a YAML list in Pulumi.<stack>.yaml`);
    return undefined;
  }
}

/** An account ID as the value of `entry`, or a problem: YAML reads unquoted digits as a number. */
function accountId(value: unknown, entry: string, problems: Problems): string | undefined {
  if (typeof value === "string" && ACCOUNT_ID.test(value)) return value;
  problems.push(
    typeof value === "number"
      ? `${entry} ${shown(value)} is a number: quote account IDs ("${value}"), since YAML drops their leading zeros`
      : `${entry} ${shown(value)} is not an AWS account ID (12 digits, quoted)`,
  );
  return undefined;
}

function readSourceAccounts(config: Config, problems: Problems): string[] {
  const value = readObject(config, "sourceAccounts", problems) ?? [];
  if (!Array.isArray(value)) {
    problems.push(`${keyOf("sourceAccounts")} must be a list of account IDs, not ${shown(value)}`);
    return [];
  }
  const accounts: string[] = [];
  value.forEach((item, index) => {
    const entry = `${keyOf("sourceAccounts")}[${index}]`;
    const account = accountId(item, entry, problems);
    if (account === undefined) return;
    if (accounts.includes(account)) problems.push(`${entry} "${account}" is listed twice`);
    else accounts.push(account);
  });
  return accounts;
}

function readOrganizationId(config: Config, problems: Problems): string | undefined {
  const value = config.get("organizationId") ?? "";
  if (value === "") return undefined;
  if (ORGANIZATION_ID.test(value)) return value;
  problems.push(
    `${keyOf("organizationId")} ${shown(value)} is not an AWS Organizations ID ` +
      `("o-" and 10 to 32 lowercase letters or digits, as \`aws organizations describe-organization\` shows)`,
  );
  return undefined;
}

function readSpoke(value: unknown, entry: string, problems: Problems): Spoke | undefined {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    problems.push(`${entry} ${shown(value)} must be a mapping: { region: <region>, roleArn: <deploy role> }`);
    return undefined;
  }
  const { region, roleArn, ...unknown } = value as Record<string, unknown>;
  const before = problems.length;
  for (const field of Object.keys(unknown)) {
    problems.push(`${entry}.${field} is not a spoke field; a spoke takes "region" and "roleArn"`);
  }
  if (typeof region !== "string" || !REGION.test(region)) {
    problems.push(
      region === undefined
        ? `${entry}.region is missing; name the region whose builds to forward, e.g. eu-west-1`
        : `${entry}.region ${shown(region)} is not an AWS region, e.g. us-east-1, eu-central-2, us-gov-west-1`,
    );
  }
  const account = typeof roleArn === "string" ? ROLE_ARN.exec(roleArn)?.[1] : undefined;
  if (roleArn !== undefined && account === undefined) {
    problems.push(
      `${entry}.roleArn ${shown(roleArn)} is not an IAM role ARN, ` +
        `arn:<partition>:iam::<12-digit account>:role/<path/name>`,
    );
  }
  if (problems.length > before) return undefined;
  const label = account
    ? `${entry} (${region as string} in account ${account})`
    : `${entry} (${region as string})`;
  return { region: region as string, ...(account ? { roleArn: roleArn as string, account } : {}), label };
}

function readSpokes(config: Config, problems: Problems): Spoke[] {
  const value = readObject(config, "spokes", problems) ?? [];
  if (!Array.isArray(value)) {
    problems.push(`${keyOf("spokes")} must be a list of { region, roleArn } mappings, not ${shown(value)}`);
    return [];
  }
  const spokes: Spoke[] = [];
  value.forEach((item, index) => {
    const spoke = readSpoke(item, `${keyOf("spokes")}[${index}]`, problems);
    if (spoke === undefined) return;
    const twin = spokes.find((other) => other.region === spoke.region && other.account === spoke.account);
    if (twin) problems.push(`${spoke.label} repeats ${twin.label}: each account and region forwards once`);
    else spokes.push(spoke);
  });
  return spokes;
}

function readReservedConcurrency(config: Config, problems: Problems): number | undefined {
  const value = config.get("notifierReservedConcurrency") ?? String(NO_RESERVATION);
  const reserved = /^-?\d+$/.test(value.trim()) ? Number(value) : Number.NaN;
  if (reserved === NO_RESERVATION) return undefined;
  if (Number.isSafeInteger(reserved) && reserved >= 1) return reserved;
  problems.push(
    `${keyOf("notifierReservedConcurrency")} ${shown(value)} must be a whole number of executions, 1 or more ` +
      `(or -1 for no reservation): 0 would stop the notifier, and every event would end as a dead letter`,
  );
  return undefined;
}

/** The stack's region as the AWS provider reads it: the `aws:region` setting, else the environment. */
function readHubRegion(): OrganizationSettings["hubRegion"] {
  const configured = getConfig("aws:region");
  if (configured !== undefined) return { name: configured, setBy: "aws:region" };
  for (const variable of ["AWS_REGION", "AWS_DEFAULT_REGION"]) {
    const value = process.env[variable];
    if (value !== undefined) return { name: value, setBy: variable };
  }
  return undefined;
}

/**
 * A spoke without a roleArn is in the hub's account: in the hub's region it is the hub itself, whose
 * builds reach the notifier already (forwarding them would notify twice). A spoke with a roleArn in the
 * hub's own account needs the hub's account to be told apart, which only the deploy's credentials know:
 * forwardSpokes checks it.
 */
function spokesAtHub(settings: OrganizationSettings): Problems {
  const hub = settings.hubRegion;
  if (hub === undefined) return [];
  return settings.spokes
    .filter((spoke) => spoke.account === undefined && spoke.region === hub.name)
    .map(
      (spoke) =>
        `${spoke.label} is the hub's own account and region (${hub.setBy} ${hub.name}), whose builds reach ` +
        "the notifier already; remove the entry (a spoke without roleArn is in the hub's account)",
    );
}

/**
 * Spokes in other accounts send with their own credentials; the hub's bus refuses what its policy does not
 * admit, so a spoke whose account the policy leaves out could never deliver.
 */
function uncoveredSpokes(settings: OrganizationSettings): Problems {
  if (settings.organizationId) return [];
  return settings.spokes
    .filter((spoke) => spoke.account && !settings.sourceAccounts.includes(spoke.account))
    .map(
      (spoke) =>
        `${spoke.label}: the hub's event bus would refuse its events; add "${spoke.account}" to ` +
        `${keyOf("sourceAccounts")} or set ${keyOf("organizationId")} (a spoke in the hub's own account ` +
        `takes no roleArn)`,
    );
}

/**
 * Reads and checks the organization settings before any resource is registered, so that a bad value fails
 * the preview with every problem named: the config key, the entry's index and its value (account IDs,
 * regions and role ARNs are not secrets).
 */
export function readOrganizationSettings(config: Config): OrganizationSettings {
  const problems: Problems = [];
  const settings: OrganizationSettings = {
    sourceAccounts: readSourceAccounts(config, problems),
    organizationId: readOrganizationId(config, problems),
    spokes: readSpokes(config, problems),
    hubRegion: readHubRegion(),
    notifierReservedConcurrency: readReservedConcurrency(config, problems),
  };
  problems.push(...spokesAtHub(settings));
  if (problems.length === 0) problems.push(...uncoveredSpokes(settings));
  if (problems.length === 0) return settings;
  throw new RunError(
    `The organization settings cannot be deployed:\n${problems.map((problem) => `- ${problem}`).join("\n")}\n` +
      `See docs/organization.md.`,
  );
}
