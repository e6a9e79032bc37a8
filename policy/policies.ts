import { Policies } from "@pulumi/policy";
import { notifierLeastPrivilege } from "./notifierLeastPrivilege";
import { registryRecoverable } from "./registryRecoverable";
import { webhooksParameterPrefix } from "./webhooksParameterPrefix";
import { webhooksParameterSecureString } from "./webhooksParameterSecureString";

/** The pack's policies, apart from the pack itself so they can be run without starting its server. */
export const policies: Policies = [
  webhooksParameterPrefix,
  webhooksParameterSecureString,
  notifierLeastPrivilege,
  registryRecoverable,
];
