import { Policies } from "@pulumi/policy";
import { broadManagedPolicies } from "./broadManagedPolicies";
import { cloudFormationReadable } from "./cloudFormationReadable";
import { eventBusNotPublic } from "./eventBusNotPublic";
import { notifierCodeOnly } from "./notifierCodeOnly";
import { notifierDecryptScoped } from "./notifierDecryptScoped";
import { notifierLeastPrivilege } from "./notifierLeastPrivilege";
import { notifierManagedPolicies } from "./notifierManagedPolicies";
import { notifierOnlyReader } from "./notifierOnlyReader";
import { notifierRegistryWrites } from "./notifierRegistryWrites";
import { registryItemsOwned } from "./registryItemsOwned";
import { registryRecoverable } from "./registryRecoverable";
import { spokeRolesPutEventsOnly } from "./spokeRolesPutEventsOnly";
import { stackParameterPath } from "./stackParameterPath";
import { webhooksAccessJudged } from "./webhooksAccessJudged";
import { webhooksParameterPrefix } from "./webhooksParameterPrefix";
import { webhooksParameterSecureString } from "./webhooksParameterSecureString";
import { webhooksParameterSource } from "./webhooksParameterSource";
import { webhooksParametersReadOnly } from "./webhooksParametersReadOnly";

/** The pack's policies, apart from the pack itself so they can be run without starting its server. */
export const policies: Policies = [
  webhooksParameterPrefix,
  webhooksParameterSecureString,
  webhooksParameterSource,
  cloudFormationReadable,
  webhooksAccessJudged,
  notifierLeastPrivilege,
  webhooksParametersReadOnly,
  notifierManagedPolicies,
  broadManagedPolicies,
  notifierDecryptScoped,
  notifierRegistryWrites,
  registryItemsOwned,
  registryRecoverable,
  eventBusNotPublic,
  notifierOnlyReader,
  notifierCodeOnly,
  stackParameterPath,
  spokeRolesPutEventsOnly,
];
