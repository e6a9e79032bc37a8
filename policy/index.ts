import { PolicyPack } from "@pulumi/policy";
import { policies } from "./policies";

new PolicyPack("codebuild-webhooks", {
  description:
    "Guards the codebuild-webhooks secrets and grants: receiver parameters live under /webhooks/ as " +
    "SecureString, only the notifier reads them, and the receiver registry can be restored.",
  policies,
});
