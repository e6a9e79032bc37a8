import type * as pulumi from "@pulumi/pulumi";
import * as path from "node:path";
import { inConfigScope } from "../src/receivers/configKeys";
import { loadReceivers } from "../src/receivers/loadReceivers";
import type { ReceiverFinding } from "../src/receivers/receiverFinding";
import type { ReadConfig } from "../src/receivers/secretConfig";
import type { ReceiverDefinition } from "../src/receivers/receiverDefinition";
import { checkedMetricsNamespace, sharedNamespaceWarning } from "./metricsNamespace";
import { readOrganizationSettings, type OrganizationSettings } from "./organizationSettings";
import { checkedParameterPath } from "./parameterPath";
import { checkedAlarmPeriods } from "./alarmPeriods";

/** A warning preview prints: about receiver files, or about a setting of the stack. */
export interface SettingsWarning {
  /** The line preview prints. */
  text: string;
  /** A warning about receiver files, by its parts. */
  receivers?: ReceiverFinding;
  /** The config key a warning about a setting is about. */
  key?: string;
}

/** The stack's settings and receivers, each checked, as the program deploys them. */
export interface StackSettings {
  /** Which other accounts and regions send their builds to this stack (docs/organization.md). */
  organization: OrganizationSettings;
  receivers: ReceiverDefinition[];
  /** Where the receivers' parameters are kept, so that stacks sharing an account stay apart. */
  parameterPath: string;
  /** Where the notifier's delivery metrics go (docs/metrics.md). */
  metricsNamespace: string;
  /** After how many failing periods a receiver alarms; absent without receiver alarms. */
  receiverAlarmPeriods?: number;
  registryDeletionProtection: boolean;
  ssmKeyId: string;
  logRetentionDays: number;
  /** Likely mistakes that do not stop a deploy, which preview prints as warnings. */
  warnings: SettingsWarning[];
}

/**
 * Reads and checks every setting of the stack and every receiver file before any resource is registered,
 * so that a bad file or value fails the preview instead of leaving a half-deployed stack; the first
 * check that fails throws, naming the file, field and line, or the config key. `readConfig` reads the
 * config values the receiver files name, for validation only, and whether each is a secret: a
 * receiver's secret set without --secret would sit in plain text. `npm run check` runs the same, offline,
 * naming the stack it checks (`commandStack`) in the `pulumi config set` commands its messages suggest.
 * Messages name the keys in the namespace `config` reads, the running project's.
 */
export function readStackSettings(
  config: pulumi.Config,
  readConfig: ReadConfig,
  projectDir: string,
  commandStack?: string,
): StackSettings {
  return inConfigScope({ project: config.name, stack: commandStack }, () =>
    readCheckedSettings(config, readConfig, projectDir),
  );
}

function readCheckedSettings(
  config: pulumi.Config,
  readConfig: ReadConfig,
  projectDir: string,
): StackSettings {
  const organization = readOrganizationSettings(config);
  const hubRegion = organization.hubRegion?.name;
  const { receivers, warningFindings } = loadReceivers(
    path.resolve(projectDir, config.require("receiversDir")),
    readConfig,
    // The stack's own region and its spokes': a receiver's regions can only be among them.
    {
      regions:
        hubRegion === undefined
          ? undefined
          : [hubRegion, ...organization.spokes.map((spoke) => spoke.region)],
    },
  );
  const parameterPath = checkedParameterPath(
    config.require("parameterPath"),
    receivers.map((receiver) => receiver.name),
  );
  const metricsNamespace = checkedMetricsNamespace(config.require("metricsNamespace"));
  const namespaceWarning = sharedNamespaceWarning(metricsNamespace, parameterPath);
  return {
    organization,
    receivers,
    parameterPath,
    metricsNamespace,
    receiverAlarmPeriods: config.requireBoolean("receiverFailureAlarms")
      ? checkedAlarmPeriods(config.requireNumber("receiverFailureAlarmPeriods"))
      : undefined,
    registryDeletionProtection: config.requireBoolean("registryDeletionProtection"),
    ssmKeyId: config.require("ssmKeyId"),
    logRetentionDays: config.requireNumber("logRetentionDays"),
    warnings: [
      ...warningFindings.map((finding) => ({ text: finding.text, receivers: finding })),
      ...(namespaceWarning ? [{ text: namespaceWarning, key: "metricsNamespace" }] : []),
    ],
  };
}
