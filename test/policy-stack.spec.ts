import { ResourceValidationArgs, unknownCheckingProxy } from "@pulumi/policy";
import * as assert from "node:assert/strict";
import { MockedResource, runProgramUnderMocks } from "../local/programUnderMocks";
import { PROJECT } from "../local/stackConfig";
import { policies } from "../policy/policies";
import { RECEIVER_SECRET_KEYS, RECEIVER_SECRETS } from "./support/stackSecrets";

interface Violation {
  policy: string;
  message: string;
}

class NotApplicable extends Error {}

/** The resource's inputs as the pack receives them: wrapped so that reading an unknown value throws. */
function validationArgs(resource: Pick<MockedResource, "type" | "name" | "inputs">): ResourceValidationArgs {
  const { type, name } = resource;
  const props = unknownCheckingProxy(resource.inputs);
  // Resource classes recognize their instances by Pulumi type token, which is all the analyzer knows.
  const isType = (resourceClass: object) =>
    (resourceClass as { isInstance(candidate: unknown): boolean }).isInstance({ __pulumiType: type });
  return {
    type,
    name,
    props,
    urn: `urn:pulumi:dev::${PROJECT}::${type}::${name}`,
    opts: {
      protect: false,
      ignoreChanges: [],
      aliases: [],
      customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
      additionalSecretOutputs: [],
    },
    stackTags: new Map(),
    isType,
    asType: ((resourceClass: object) =>
      isType(resourceClass) ? props : undefined) as ResourceValidationArgs["asType"],
    getConfig: <T extends object>() => ({}) as T,
    notApplicable: () => {
      throw new NotApplicable();
    },
  };
}

/** Runs every policy of the pack on a resource, as the analyzer does for each resource of an update. */
async function violationsOf(
  resource: Pick<MockedResource, "type" | "name" | "inputs">,
): Promise<Violation[]> {
  const violations: Violation[] = [];
  for (const policy of policies) {
    assert.ok("validateResource" in policy && policy.validateResource, `${policy.name} validates resources`);
    const validations = Array.isArray(policy.validateResource)
      ? policy.validateResource
      : [policy.validateResource];
    for (const validate of validations) {
      try {
        await validate(validationArgs(resource), (message) =>
          violations.push({ policy: policy.name, message }),
        );
      } catch (error) {
        if (!(error instanceof NotApplicable)) throw error;
      }
    }
  }
  return violations;
}

describe("the stack under its own policy pack", () => {
  let resources: MockedResource[];

  function first(type: string): MockedResource {
    const found = resources.find((resource) => resource.type === type);
    assert.ok(found, `the program creates a ${type}`);
    return found;
  }

  before(async () => {
    ({ resources } = await runProgramUnderMocks({
      config: RECEIVER_SECRETS,
      secretKeys: RECEIVER_SECRET_KEYS,
    }));
  });

  it("passes every policy with every resource the program creates", async () => {
    for (const resource of resources) {
      assert.deepEqual(await violationsOf(resource), [], `${resource.type} ${resource.name}`);
    }
  });

  it("blocks a receiver parameter renamed outside /webhooks/", async () => {
    const parameter = first("aws:ssm/parameter:Parameter");
    const renamed = { ...parameter, inputs: { ...parameter.inputs, name: "/ci/jira-failures/url" } };
    assert.deepEqual(await violationsOf(renamed), [
      {
        policy: "webhooks-parameter-prefix",
        message:
          `Parameter name "/ci/jira-failures/url" is not under /webhooks/, so the notifier's grant on ` +
          `parameter/webhooks/* does not cover it. Name it "/webhooks/<receiver>/url", ".../headers" or ".../signing-secret".`,
      },
    ]);
  });

  it("blocks a receiver parameter stored as a plain String", async () => {
    const parameter = first("aws:ssm/parameter:Parameter");
    const plain = { ...parameter, inputs: { ...parameter.inputs, type: "String" } };
    assert.deepEqual(await violationsOf(plain), [
      {
        policy: "webhooks-parameter-securestring",
        message: `Parameter "${String(parameter.inputs.name)}" has type "String"; set type: "SecureString".`,
      },
    ]);
  });

  it("blocks a notifier policy that also reads every parameter", async () => {
    const rolePolicy = first("aws:iam/rolePolicy:RolePolicy");
    const document = JSON.parse(String(rolePolicy.inputs.policy)) as { Statement: object[] };
    document.Statement.push({ Sid: "ReadAll", Effect: "Allow", Action: "ssm:GetParameter*", Resource: "*" });
    const broad = { ...rolePolicy, inputs: { ...rolePolicy.inputs, policy: JSON.stringify(document) } };
    assert.deepEqual(await violationsOf(broad), [
      {
        policy: "notifier-least-privilege",
        message:
          `Policy statement "ReadAll" allows ssm:GetParameter, ssm:GetParameters, ssm:GetParametersByPath, ` +
          `ssm:GetParameterHistory on "*", which reaches parameters outside /webhooks/. ` +
          `Limit Resource to "arn:aws:ssm:<region>:<account>:parameter/webhooks/*".`,
      },
    ]);
  });

  it("advises point-in-time recovery when the registry loses it", async () => {
    const table = first("aws:dynamodb/table:Table");
    const unrecoverable = { ...table, inputs: { ...table.inputs, pointInTimeRecovery: { enabled: false } } };
    assert.deepEqual(await violationsOf(unrecoverable), [
      {
        policy: "registry-recoverable",
        message: "Registry table has no point-in-time recovery; set pointInTimeRecovery: { enabled: true }.",
      },
    ]);
  });
});
