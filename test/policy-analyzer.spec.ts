import * as grpc from "@grpc/grpc-js";
import * as analyzerRpc from "@pulumi/pulumi/proto/analyzer_grpc_pb";
import * as analyzerProto from "@pulumi/pulumi/proto/analyzer_pb";
import { Empty } from "google-protobuf/google/protobuf/empty_pb";
import { JavaScriptValue, Struct } from "google-protobuf/google/protobuf/struct_pb";
import * as assert from "node:assert/strict";
import { ChildProcess, spawn } from "node:child_process";
import { once } from "node:events";
import * as path from "node:path";
import { eventBusNotPublic } from "../policy/eventBusNotPublic";
import { notifierLeastPrivilege } from "../policy/notifierLeastPrivilege";
import { notifierManagedPolicies } from "../policy/notifierManagedPolicies";
import { notifierOnlyReader } from "../policy/notifierOnlyReader";
import { version as packVersion } from "../policy/package.json";
import { registryRecoverable } from "../policy/registryRecoverable";
import { spokeRolesPutEventsOnly } from "../policy/spokeRolesPutEventsOnly";
import { stackParameterPath } from "../policy/stackParameterPath";
import { webhooksAccessJudged } from "../policy/webhooksAccessJudged";
import { webhooksParameterPrefix } from "../policy/webhooksParameterPrefix";
import { webhooksParameterSecureString } from "../policy/webhooksParameterSecureString";

const PACK_DIR = path.resolve(__dirname, "..", "policy");
const { EnforcementLevel } = analyzerProto;

/** How the engine marks a string input it cannot know during a preview (an Output of a new resource). */
const UNKNOWN_STRING = "04da6b54-80e4-46f7-96ec-b56ff0331ba9";

/**
 * Starts the pack as the Pulumi CLI does: `run-policy-pack <engine address> <pack>` with the pack's
 * directory as working directory.
 */
function startPack(): ChildProcess {
  const runPolicyPack = require.resolve("@pulumi/pulumi/cmd/run-policy-pack");
  // The engine address is where the CLI listens; the analyzer never calls back during these requests.
  return spawn(process.execPath, [runPolicyPack, "127.0.0.1:0", "."], {
    cwd: PACK_DIR,
    stdio: ["ignore", "pipe", "pipe"],
  });
}

/** The port of the analyzer the pack serves on loopback: the first line it prints. */
function servedPort(pack: ChildProcess): Promise<number> {
  let stdout = "";
  let stderr = "";
  pack.stderr?.on("data", (chunk: Buffer) => (stderr += chunk.toString()));
  return new Promise<number>((resolve, reject) => {
    pack.stdout?.on("data", (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = /^(\d+)\n/.exec(stdout);
      if (line) resolve(Number(line[1]));
    });
    pack.once("exit", (code) => reject(new Error(`policy pack exited with ${code}:\n${stdout}${stderr}`)));
  });
}

function unary<T>(send: (done: (error: grpc.ServiceError | null, response: T) => void) => void): Promise<T> {
  return new Promise((resolve, reject) =>
    send((error, response) => (error ? reject(error) : resolve(response))),
  );
}

interface Diagnostic {
  policy: string;
  level: analyzerProto.EnforcementLevel;
  message: string;
}

describe("policy pack served to the Pulumi CLI", () => {
  let pack: ChildProcess;
  let client: analyzerRpc.AnalyzerClient;

  before(async () => {
    pack = startPack();
    const port = await servedPort(pack);
    client = new analyzerRpc.AnalyzerClient(`127.0.0.1:${port}`, grpc.credentials.createInsecure());
  });

  after(async () => {
    client?.close();
    if (pack && pack.exitCode === null) {
      pack.kill();
      await once(pack, "exit");
    }
  });

  async function analyze(
    type: string,
    props: Record<string, JavaScriptValue>,
    project = "codebuild-webhooks",
    name = "resource",
  ): Promise<Diagnostic[]> {
    const provider = new analyzerProto.AnalyzerProviderResource()
      .setType("pulumi:providers:aws")
      .setName("default")
      .setUrn(`urn:pulumi:dev::${project}::pulumi:providers:aws::default`)
      .setProperties(Struct.fromJavaScript({ region: "us-east-1" }));
    const request = new analyzerProto.AnalyzeRequest()
      .setType(type)
      .setName(name)
      .setUrn(`urn:pulumi:dev::${project}::${type}::${name}`)
      .setProperties(Struct.fromJavaScript(props))
      .setOptions(new analyzerProto.AnalyzerResourceOptions())
      .setProvider(provider);
    const response = await unary<analyzerProto.AnalyzeResponse>((done) => client.analyze(request, done));
    return response.getDiagnosticsList().map((diagnostic) => ({
      policy: diagnostic.getPolicyname(),
      level: diagnostic.getEnforcementlevel(),
      message: diagnostic.getMessage(),
    }));
  }

  const urn = (type: string, name: string) => `urn:pulumi:dev::codebuild-webhooks::${type}::${name}`;

  /** A resource of a codebuild-webhooks stack as AnalyzeStack passes it; dependencies name a URN per property. */
  function resource(
    type: string,
    name: string,
    props: Record<string, JavaScriptValue>,
    dependencies: Record<string, string> = {},
  ): analyzerProto.AnalyzerResource {
    const analyzed = new analyzerProto.AnalyzerResource()
      .setType(type)
      .setName(name)
      .setUrn(urn(type, name))
      .setProperties(Struct.fromJavaScript(props))
      .setOptions(new analyzerProto.AnalyzerResourceOptions());
    for (const [prop, on] of Object.entries(dependencies)) {
      analyzed
        .getPropertydependenciesMap()
        .set(prop, new analyzerProto.AnalyzerPropertyDependencies().setUrnsList([on]));
    }
    return analyzed;
  }

  const PARAMETER = "aws:ssm/parameter:Parameter";

  it("describes its policies and their enforcement levels", async () => {
    const info = await unary<analyzerProto.AnalyzerInfo>((done) => client.getAnalyzerInfo(new Empty(), done));
    assert.equal(info.getName(), "codebuild-webhooks");
    assert.equal(info.getVersion(), packVersion);
    assert.equal(info.getSupportsconfig(), true);
    assert.deepEqual(
      info.getPoliciesList().map((policy) => [policy.getName(), policy.getEnforcementlevel()]),
      [
        ["webhooks-parameter-prefix", EnforcementLevel.MANDATORY],
        ["webhooks-parameter-securestring", EnforcementLevel.MANDATORY],
        ["webhooks-parameter-source", EnforcementLevel.MANDATORY],
        ["cloudformation-readable", EnforcementLevel.MANDATORY],
        ["webhooks-access-judged", EnforcementLevel.MANDATORY],
        ["notifier-least-privilege", EnforcementLevel.MANDATORY],
        ["webhooks-parameters-read-only", EnforcementLevel.MANDATORY],
        ["notifier-managed-policies", EnforcementLevel.MANDATORY],
        ["broad-managed-policies", EnforcementLevel.ADVISORY],
        ["notifier-decrypt-scoped", EnforcementLevel.MANDATORY],
        ["notifier-registry-writes", EnforcementLevel.MANDATORY],
        ["registry-items-owned", EnforcementLevel.MANDATORY],
        ["registry-recoverable", EnforcementLevel.ADVISORY],
        ["event-bus-not-public", EnforcementLevel.MANDATORY],
        ["notifier-only-reader", EnforcementLevel.MANDATORY],
        ["notifier-code-only", EnforcementLevel.MANDATORY],
        ["stack-parameter-path", EnforcementLevel.MANDATORY],
        ["spoke-roles-put-events-only", EnforcementLevel.MANDATORY],
      ],
    );
  });

  it("passes a SecureString receiver parameter under /webhooks/", async () => {
    const props = {
      name: "/webhooks/jira-failures/url",
      type: "SecureString",
      keyId: "alias/aws/ssm",
      value: "x",
    };
    assert.deepEqual(await analyze(PARAMETER, props), []);
  });

  it("blocks a parameter named outside /webhooks/, and a String parameter under it", async () => {
    assert.deepEqual(await analyze(PARAMETER, { name: "/webhooksx/jira/url", type: "SecureString" }), [
      {
        policy: "webhooks-parameter-prefix",
        level: EnforcementLevel.MANDATORY,
        message:
          `${webhooksParameterPrefix.description}\n` +
          `Parameter name "/webhooksx/jira/url" is not under /webhooks/, so the notifier's grant on ` +
          `parameter/webhooks/* does not cover it. Name it "/webhooks/<receiver>/url", ".../headers" or ".../signing-secret".`,
      },
    ]);
    assert.deepEqual(await analyze(PARAMETER, { name: "/webhooks/jira/url", type: "String" }), [
      {
        policy: "webhooks-parameter-securestring",
        level: EnforcementLevel.MANDATORY,
        message: `${webhooksParameterSecureString.description}\nParameter "/webhooks/jira/url" has type "String"; set type: "SecureString".`,
      },
    ]);
  });

  it("tells the stacks' projects apart by the resource's URN", async () => {
    assert.deepEqual(await analyze(PARAMETER, { name: "/billing/db-host", type: "String" }, "billing"), []);
    const lookalike = await analyze(
      PARAMETER,
      { name: "webhooks/jira/url", type: "SecureString" },
      "billing",
    );
    assert.deepEqual(
      lookalike.map((diagnostic) => diagnostic.policy),
      ["webhooks-parameter-prefix"],
    );
  });

  it("checks role inline policies and managed policy attachments", async () => {
    const readEverything = JSON.stringify({
      Version: "2012-10-17",
      Statement: [{ Effect: "Allow", Action: "ssm:GetParameter*", Resource: "*" }],
    });
    const role = await analyze("aws:iam/role:Role", {
      assumeRolePolicy: "{}",
      inlinePolicies: [{ name: "notifier", policy: readEverything }],
    });
    assert.deepEqual(role, [
      {
        policy: "notifier-least-privilege",
        level: EnforcementLevel.MANDATORY,
        message:
          `${notifierLeastPrivilege.description}\nInline policy "notifier" statement 1 allows ssm:GetParameter, ` +
          `ssm:GetParameters, ssm:GetParametersByPath, ssm:GetParameterHistory on "*", which reaches parameters ` +
          `outside /webhooks/. Limit Resource to "arn:aws:ssm:<region>:<account>:parameter/webhooks/*".`,
      },
    ]);
    const attachment = await analyze("aws:iam/rolePolicyAttachment:RolePolicyAttachment", {
      role: "notifier-1a2b3c4",
      policyArn: "arn:aws:iam::aws:policy/AmazonSSMFullAccess",
    });
    assert.deepEqual(
      attachment.map(({ policy, message }) => [policy, message]),
      [
        [
          "notifier-managed-policies",
          `${notifierManagedPolicies.description}\nManaged policy "arn:aws:iam::aws:policy/AmazonSSMFullAccess" is ` +
            `attached to a role. In a codebuild-webhooks stack the notifier's role may carry ` +
            `arn:<partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole at most: the pack cannot see ` +
            `what other managed policies grant (AmazonSSMReadOnlyAccess or ReadOnlyAccess would let the notifier ` +
            `read every parameter). Detach it and grant only what the notifier uses in the role's inline policy.`,
        ],
      ],
    );
  });

  it("checks the whole stack at the end of a preview, telling roles apart by dependency while unknown", async () => {
    const ROLE = "aws:iam/role:Role";
    const readWebhooks = JSON.stringify({
      Statement: [
        { Effect: "Allow", Action: "ssm:GetParameters", Resource: "arn:aws:ssm:*:*:parameter/webhooks/*" },
      ],
    });
    const request = new analyzerProto.AnalyzeStackRequest().setResourcesList([
      resource(ROLE, "notifier", {
        name: UNKNOWN_STRING,
        arn: UNKNOWN_STRING,
        tags: { "codebuild-webhooks:role": "notifier" },
      }),
      resource(
        "aws:lambda/function:Function",
        "notifier",
        {
          role: UNKNOWN_STRING,
          environment: { variables: { TABLE_NAME: UNKNOWN_STRING, PARAMETER_PATH: "/webhooks/staging/" } },
        },
        { role: urn(ROLE, "notifier") },
      ),
      resource(
        "aws:iam/rolePolicy:RolePolicy",
        "notifier",
        { role: UNKNOWN_STRING, policy: readWebhooks },
        { role: urn(ROLE, "notifier") },
      ),
      resource(ROLE, "ops", {
        name: "ops-1",
        arn: "arn:aws:iam::1:role/ops-1",
        inlinePolicies: [{ name: "read", policy: readWebhooks }],
      }),
    ]);
    const response = await unary<analyzerProto.AnalyzeResponse>((done) => client.analyzeStack(request, done));
    assert.deepEqual(
      response
        .getDiagnosticsList()
        .map((diagnostic) => [diagnostic.getPolicyname(), diagnostic.getUrn(), diagnostic.getMessage()]),
      [
        [
          "notifier-only-reader",
          urn(ROLE, "ops"),
          `${notifierOnlyReader.description}\nInline policy "read" statement 1 allows ssm:GetParameters on ` +
            `"arn:aws:ssm:*:*:parameter/webhooks/*" to role "ops", which is not the notifier's role (the stack's ` +
            `role tagged codebuild-webhooks:role=notifier): only the notifier reads the receiver credentials under ` +
            `/webhooks/. Remove this grant.`,
        ],
        [
          "stack-parameter-path",
          urn("aws:iam/rolePolicy:RolePolicy", "notifier"),
          `${stackParameterPath.description}\nPolicy statement 1 allows ssm:GetParameters on ` +
            `"arn:aws:ssm:*:*:parameter/webhooks/*", beyond this stack's parameter path "/webhooks/staging/" ` +
            `(PARAMETER_PATH of function "notifier"): the notifier would read other stacks' receiver credentials. ` +
            `Limit Resource to "arn:aws:ssm:<region>:<account>:parameter/webhooks/staging/*".`,
        ],
      ],
    );
  });

  it("blocks an event bus policy that admits anyone, in any project's stack when it is a default bus", async () => {
    const open = JSON.stringify({
      Statement: [
        { Sid: "Open", Effect: "Allow", Principal: "*", Action: "events:PutEvents", Resource: "*" },
      ],
    });
    const expected = {
      policy: "event-bus-not-public",
      level: EnforcementLevel.MANDATORY,
      message:
        `${eventBusNotPublic.description}\nPolicy statement "Open" admits any principal (Principal "*") to the ` +
        `default event bus with no condition on aws:PrincipalOrgID, so any AWS account may put events on it, ` +
        `CodeBuild events for a codebuild-webhooks notifier included. Name the accounts instead (Principal { AWS: ` +
        `"arn:aws:iam::<account>:root" }, the stack's sourceAccounts), or add Condition: { StringEquals: { ` +
        `"aws:PrincipalOrgID": "o-<organization>" } } (its organizationId).`,
    };
    const busPolicy = "aws:cloudwatch/eventBusPolicy:EventBusPolicy";
    assert.deepEqual(await analyze(busPolicy, { eventBusName: "default", policy: open }), [expected]);
    assert.deepEqual(await analyze(busPolicy, { policy: open }, "platform-events"), [expected]);
    assert.deepEqual(
      await analyze(busPolicy, { eventBusName: "orders", policy: open }, "platform-events"),
      [],
    );
  });

  it("checks the spokes' forwarding roles at the end of a preview, linked to their targets by dependency", async () => {
    const ROLE = "aws:iam/role:Role";
    const POLICY = "aws:iam/rolePolicy:RolePolicy";
    const spoke = "forward-to-hub-eu-west-1";
    const hubBus = "arn:aws:events:us-east-1:123456789012:event-bus/default";
    const request = new analyzerProto.AnalyzeStackRequest().setResourcesList([
      resource(ROLE, spoke, {
        name: UNKNOWN_STRING,
        arn: UNKNOWN_STRING,
        assumeRolePolicy: JSON.stringify({
          Statement: [
            { Effect: "Allow", Action: "sts:AssumeRole", Principal: { Service: "events.amazonaws.com" } },
          ],
        }),
      }),
      resource(
        POLICY,
        spoke,
        {
          role: UNKNOWN_STRING,
          policy: JSON.stringify({ Statement: [{ Effect: "Allow", Action: "events:*", Resource: hubBus }] }),
        },
        { role: urn(ROLE, spoke) },
      ),
      resource(
        "aws:cloudwatch/eventTarget:EventTarget",
        `${spoke}-to-hub`,
        { rule: UNKNOWN_STRING, arn: hubBus, roleArn: UNKNOWN_STRING },
        { roleArn: urn(ROLE, spoke) },
      ),
    ]);
    const response = await unary<analyzerProto.AnalyzeResponse>((done) => client.analyzeStack(request, done));
    assert.deepEqual(
      response
        .getDiagnosticsList()
        .map((diagnostic) => [diagnostic.getPolicyname(), diagnostic.getUrn(), diagnostic.getMessage()]),
      [
        [
          "spoke-roles-put-events-only",
          urn(POLICY, spoke),
          `${spokeRolesPutEventsOnly.description}\nPolicy statement 1 of role "forward-to-hub-eu-west-1", which ` +
            `EventBridge assumes (it trusts events.amazonaws.com), allows "events:*": a role EventBridge assumes ` +
            `may allow events:PutEvents only. Set Action: "events:PutEvents".`,
        ],
      ],
    );
  });

  it("notes, without blocking the preview, a policy document that is not known yet", async () => {
    const diagnostics = await analyze("aws:iam/rolePolicy:RolePolicy", {
      role: "notifier",
      policy: UNKNOWN_STRING,
    });
    // Every policy that reads grants says so, as advice, and checks the document during the update.
    assert.deepEqual(
      diagnostics.map(({ policy, level }) => [policy, level]),
      [
        "notifier-least-privilege",
        "webhooks-parameters-read-only",
        "notifier-managed-policies",
        "broad-managed-policies",
        "notifier-decrypt-scoped",
        "notifier-registry-writes",
      ].map((policy) => [policy, EnforcementLevel.ADVISORY]),
    );
    for (const { message } of diagnostics) {
      assert.match(message, /during preview: string value at \.policy can't be known during preview$/);
    }
  });

  it("blocks a resource naming /webhooks/ that the pack does not judge, until the pack's config excepts it", async () => {
    const type = "aws:ram/resourceAssociation:ResourceAssociation";
    const parameterArn = "arn:aws:ssm:us-east-1:123456789012:parameter/webhooks/jira/url";
    const props = {
      resourceArn: parameterArn,
      resourceShareArn: "arn:aws:ram:us-east-1:123456789012:resource-share/5f3c2a1b",
    };
    assert.deepEqual(await analyze(type, props, "platform-sharing"), [
      {
        policy: "webhooks-access-judged",
        level: EnforcementLevel.MANDATORY,
        message:
          `${webhooksAccessJudged.description}\nResource "resource" (${type}) names the receiver parameters under ` +
          `/webhooks/: resourceArn "${parameterArn}". The pack does not judge what resources of this type do with ` +
          `them, and fails closed: such a resource may read, share or hand out the receiver credentials. Remove ` +
          `the reference; or have the resource reviewed and add it, with the reason, to the exceptions of ` +
          `webhooks-access-judged in the pack's config: {"resource":"${type}::resource","reason":"<who reviewed ` +
          `it, and why>"}.`,
      },
    ]);

    // What `--policy-pack-config` with {"webhooks-access-judged": {"exceptions": [...]}} makes the CLI send.
    const exception = {
      resource: `${type}::resource`,
      reason: "Reviewed: the ops account reads the Jira URL.",
    };
    const configure = new analyzerProto.ConfigureAnalyzerRequest();
    configure
      .getPolicyconfigMap()
      .set(
        webhooksAccessJudged.name,
        new analyzerProto.PolicyConfig()
          .setEnforcementlevel(EnforcementLevel.MANDATORY)
          .setProperties(Struct.fromJavaScript({ exceptions: [exception] })),
      );
    await unary<Empty>((done) => client.configure(configure, done));
    assert.deepEqual(await analyze(type, props, "platform-sharing"), []);
    const otherName = await analyze(type, props, "platform-sharing", "other-share");
    assert.deepEqual(
      otherName.map(({ policy }) => policy),
      ["webhooks-access-judged"],
    );
  });

  it("takes each policy's enforcement level from the pack's config", async () => {
    const table = { hashKey: "project", rangeKey: "hook_url_param_name", billingMode: "PAY_PER_REQUEST" };
    const badName = { name: "/ci/jira/url", type: "SecureString" };
    const advisory = await analyze("aws:dynamodb/table:Table", table);
    assert.deepEqual(
      advisory.map(({ policy, level }) => [policy, level]),
      [["registry-recoverable", EnforcementLevel.ADVISORY]],
    );
    const blocked = await analyze(PARAMETER, badName);
    assert.deepEqual(
      blocked.map(({ policy, level }) => [policy, level]),
      [["webhooks-parameter-prefix", EnforcementLevel.MANDATORY]],
    );

    // What `--policy-pack-config` with {"registry-recoverable": "mandatory",
    // "webhooks-parameter-prefix": "disabled"} makes the CLI send.
    const configure = new analyzerProto.ConfigureAnalyzerRequest();
    const levels: [string, analyzerProto.EnforcementLevel][] = [
      [registryRecoverable.name, EnforcementLevel.MANDATORY],
      [webhooksParameterPrefix.name, EnforcementLevel.DISABLED],
    ];
    for (const [policy, level] of levels) {
      const config = new analyzerProto.PolicyConfig().setEnforcementlevel(level).setProperties(new Struct());
      configure.getPolicyconfigMap().set(policy, config);
    }
    await unary<Empty>((done) => client.configure(configure, done));

    const mandatory = await analyze("aws:dynamodb/table:Table", table);
    assert.deepEqual(
      mandatory.map(({ policy, level, message }) => [policy, level, message]),
      [
        [
          "registry-recoverable",
          EnforcementLevel.MANDATORY,
          `${registryRecoverable.description}\nRegistry table has no point-in-time recovery; set pointInTimeRecovery: { enabled: true }.`,
        ],
      ],
    );
    assert.deepEqual(await analyze(PARAMETER, badName), []);
  });
});
