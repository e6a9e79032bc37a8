import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("codebuild-webhooks", {
  description:
    "Guards the codebuild-webhooks secrets and grants: receiver parameters live under each stack's path below " +
    "/webhooks/ as SecureString, created by codebuild-webhooks stacks only; only the notifier reads them, " +
    "nobody changes them, and the notifier writes only its own records; the receiver registry can be restored; " +
    "the hub's event bus admits named accounts and organizations only, and spokes' roles only put events on it; " +
    "a resource naming the parameters that the pack cannot judge fails, unless the pack's config excepts it.",
  policies,
});
