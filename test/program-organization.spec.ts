import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import * as pulumi from "@pulumi/pulumi";
import { parse } from "yaml";
import {
  ACCOUNT,
  REGION,
  runProgramUnderMocks,
  type MockedResource,
  type ProgramRun,
} from "../local/programUnderMocks";
import { failedRun, failureBeforeAnyResource } from "./support/failedProgramRun";
import { ofType, single } from "./support/programResources";
import { RECEIVER_SECRETS, specRun } from "./support/specStack";

const HUB_BUS = `arn:aws:events:${REGION}:${ACCOUNT}:event-bus/default`;
const SPOKE_ACCOUNT = "111122223333";
const OTHER_ACCOUNT = "444455556666";
const DEPLOY_ROLE = `arn:aws:iam::${SPOKE_ACCOUNT}:role/codebuild-webhooks-deploy`;
const ORGANIZATION = "o-a1b2c3d4e5";
const ORGANIZATION_SETTINGS = ["sourceAccounts", "organizationId", "spokes", "notifierReservedConcurrency"];

interface PolicyDocument {
  Version: string;
  Statement: Record<string, unknown>[];
}

/** The stack with organization settings; lists and mappings are given as `pulumi config set` passes them, JSON. */
function deploy(settings: Record<string, unknown>): Promise<ProgramRun> {
  return runProgramUnderMocks(specRun(configOf(settings)));
}

function configOf(settings: Record<string, unknown>): Record<string, string> {
  const config = { ...RECEIVER_SECRETS };
  for (const [key, value] of Object.entries(settings)) {
    config[key] = typeof value === "string" ? value : JSON.stringify(value);
  }
  return config;
}

function named(run: ProgramRun, type: string, name: string): MockedResource {
  const found = run.resources.find((resource) => resource.type === type && resource.name === name);
  assert.ok(
    found,
    `a ${type} named ${name}; there are ${ofType(run, type)
      .map((r) => r.name)
      .join(", ")}`,
  );
  return found;
}

function documentOf(policy: unknown): PolicyDocument {
  return JSON.parse(policy as string) as PolicyDocument;
}

function environmentOf(run: ProgramRun): Record<string, string> {
  const fn = single(run, "aws:lambda/function:Function");
  return (fn.inputs.environment as { variables: Record<string, string> }).variables;
}

/**
 * What a resource is to AWS: its type, name, inputs and the provider it is created with. A code archive
 * is its files (their text, or the folder a package is packed from): the archive itself holds promises,
 * which Node.js 24 compares by reference.
 */
function declared(run: ProgramRun) {
  return Promise.all(
    run.resources.map(async ({ type, name, inputs, provider }) => ({
      type,
      name,
      inputs:
        inputs.code instanceof pulumi.asset.AssetArchive
          ? { ...inputs, code: await filesOf(inputs.code) }
          : inputs,
      provider: provider?.name,
    })),
  );
}

async function filesOf(archive: pulumi.asset.AssetArchive): Promise<Record<string, string>> {
  const entries = Object.entries(await archive.assets);
  return Object.fromEntries(
    await Promise.all(
      entries.map(async ([name, entry]) => [
        name,
        entry instanceof pulumi.asset.StringAsset
          ? await entry.text
          : await (entry as pulumi.asset.FileArchive).path,
      ]),
    ),
  );
}

describe("the stack for an organization (index.ts under Pulumi mocks)", () => {
  describe("without the organization settings", () => {
    let run: ProgramRun;

    before(async () => {
      run = await deploy({});
    });

    it("deploys what a stack of one account and region always did: the same resources, names and inputs", async () => {
      assert.deepEqual(run.resources.map((resource) => [resource.type, resource.name]).sort(), [
        ["aws:cloudwatch/dashboard:Dashboard", "delivery-health"],
        ["aws:cloudwatch/eventRule:EventRule", "build-state-changes"],
        ["aws:cloudwatch/eventTarget:EventTarget", "notifier"],
        ["aws:cloudwatch/logGroup:LogGroup", "notifier"],
        ["aws:cloudwatch/metricAlarm:MetricAlarm", "dead-letters"],
        ["aws:cloudwatch/metricAlarm:MetricAlarm", "jira-failures/failing"],
        ["aws:cloudwatch/metricAlarm:MetricAlarm", "notifier-errors"],
        ["aws:cloudwatch/metricAlarm:MetricAlarm", "slack-builds/failing"],
        ["aws:cloudwatch:EventRuleEventSubscription", "notifier"],
        ["aws:dynamodb/table:Table", "registry"],
        ["aws:dynamodb/tableItem:TableItem", "jira-failures/my-app"],
        ["aws:dynamodb/tableItem:TableItem", "slack-builds/my-app"],
        ["aws:iam/role:Role", "notifier"],
        ["aws:iam/rolePolicy:RolePolicy", "notifier"],
        ["aws:lambda/function:Function", "notifier"],
        ["aws:lambda/functionEventInvokeConfig:FunctionEventInvokeConfig", "notifier"],
        ["aws:lambda/permission:Permission", "notifier"],
        ["aws:sqs/queue:Queue", "dead-letters"],
        ["aws:sqs/queuePolicy:QueuePolicy", "dead-letters"],
        ["aws:ssm/parameter:Parameter", "jira-failures/headers"],
        ["aws:ssm/parameter:Parameter", "jira-failures/url"],
        ["aws:ssm/parameter:Parameter", "slack-builds/url"],
      ]);
      assert.ok(
        run.resources.every((resource) => resource.provider === undefined),
        "every resource is the stack's own account and region",
      );
      // The settings' defaults in Pulumi.yaml are exactly the same as leaving the settings out.
      const unset = await runProgramUnderMocks({ ...specRun(), unset: ORGANIZATION_SETTINGS });
      assert.deepEqual(await declared(unset), await declared(run));
    });

    it("tells the notifier it serves the hub's account only, and reserves no concurrency", () => {
      assert.equal(environmentOf(run).SOURCE_ACCOUNTS, ACCOUNT);
      const fn = single(run, "aws:lambda/function:Function");
      assert.equal(fn.inputs.reservedConcurrentExecutions, undefined);
      assert.deepEqual(
        [run.outputs.hubEventBusArn, run.outputs.spokeRuleArns, run.outputs.spokeRoleArns],
        [undefined, [], []],
      );
    });
  });

  describe("the hub's event bus", () => {
    it("admits exactly the source accounts, which the notifier serves beside the hub's own", async () => {
      const run = await deploy({ sourceAccounts: [SPOKE_ACCOUNT, OTHER_ACCOUNT] });
      const busPolicy = single(run, "aws:cloudwatch/eventBusPolicy:EventBusPolicy");
      assert.equal(busPolicy.inputs.eventBusName, "default");
      assert.equal(busPolicy.provider, undefined, "the hub's own bus");
      assert.deepEqual(documentOf(busPolicy.inputs.policy), {
        Version: "2012-10-17",
        Statement: [
          {
            Sid: "SourceAccountsPutEvents",
            Effect: "Allow",
            Principal: { AWS: [`arn:aws:iam::${SPOKE_ACCOUNT}:root`, `arn:aws:iam::${OTHER_ACCOUNT}:root`] },
            Action: "events:PutEvents",
            Resource: HUB_BUS,
          },
        ],
      });
      assert.equal(environmentOf(run).SOURCE_ACCOUNTS, `${ACCOUNT},${SPOKE_ACCOUNT},${OTHER_ACCOUNT}`);
      assert.equal(run.outputs.hubEventBusArn, HUB_BUS);
    });

    it("admits the accounts of the organization only, and the notifier leaves the guarding to the bus", async () => {
      const run = await deploy({ organizationId: ORGANIZATION });
      const busPolicy = single(run, "aws:cloudwatch/eventBusPolicy:EventBusPolicy");
      assert.deepEqual(documentOf(busPolicy.inputs.policy).Statement, [
        {
          Sid: "OrganizationPutEvents",
          Effect: "Allow",
          Principal: "*",
          Action: "events:PutEvents",
          Resource: HUB_BUS,
          Condition: { StringEquals: { "aws:PrincipalOrgID": ORGANIZATION } },
        },
      ]);
      assert.equal(environmentOf(run).SOURCE_ACCOUNTS, "*");
    });

    it("admits accounts outside the organization beside it, each by its own statement", async () => {
      const run = await deploy({ organizationId: ORGANIZATION, sourceAccounts: [OTHER_ACCOUNT] });
      const statements = documentOf(
        single(run, "aws:cloudwatch/eventBusPolicy:EventBusPolicy").inputs.policy,
      ).Statement;
      assert.deepEqual(
        statements.map((statement) => [statement.Sid, statement.Principal, statement.Condition]),
        [
          ["SourceAccountsPutEvents", { AWS: [`arn:aws:iam::${OTHER_ACCOUNT}:root`] }, undefined],
          ["OrganizationPutEvents", "*", { StringEquals: { "aws:PrincipalOrgID": ORGANIZATION } }],
        ],
      );
      for (const statement of statements) {
        assert.deepEqual(
          [statement.Effect, statement.Action, statement.Resource],
          ["Allow", "events:PutEvents", HUB_BUS],
        );
      }
      assert.equal(environmentOf(run).SOURCE_ACCOUNTS, "*");
    });
  });

  describe("spokes", () => {
    let run: ProgramRun;
    const spokes = [
      { name: "eu-west-1", region: "eu-west-1", account: ACCOUNT },
      {
        name: `${SPOKE_ACCOUNT}-ap-southeast-2`,
        region: "ap-southeast-2",
        account: SPOKE_ACCOUNT,
        roleArn: DEPLOY_ROLE,
      },
    ];

    before(async () => {
      run = await deploy({
        sourceAccounts: [SPOKE_ACCOUNT],
        spokes: [{ region: "eu-west-1" }, { region: "ap-southeast-2", roleArn: DEPLOY_ROLE }],
      });
    });

    it("creates each spoke through a provider for its region, assuming the deploy role in another account", () => {
      const providers = ofType(run, "pulumi:providers:aws");
      assert.deepEqual(
        providers.map((provider) => ({
          name: provider.name,
          region: provider.inputs.region,
          assumeRoles:
            provider.inputs.assumeRoles === undefined
              ? undefined
              : JSON.parse(provider.inputs.assumeRoles as string),
        })),
        [
          { name: "spoke-eu-west-1", region: "eu-west-1", assumeRoles: undefined },
          {
            name: `spoke-${SPOKE_ACCOUNT}-ap-southeast-2`,
            region: "ap-southeast-2",
            assumeRoles: [{ roleArn: DEPLOY_ROLE }],
          },
        ],
      );
      // Every resource of a spoke is created with its provider; the hub's resources with the stack's own.
      for (const spoke of spokes) {
        const provider = named(run, "pulumi:providers:aws", `spoke-${spoke.name}`);
        const created = run.resources.filter((resource) => resource.provider === provider);
        assert.deepEqual(created.map((resource) => [resource.type, resource.name]).sort(), [
          ["aws:cloudwatch/eventRule:EventRule", `build-state-changes-${spoke.name}`],
          ["aws:cloudwatch/eventTarget:EventTarget", `build-state-changes-${spoke.name}-to-hub`],
          ["aws:iam/role:Role", `forward-to-hub-${spoke.name}`],
          ["aws:iam/rolePolicy:RolePolicy", `forward-to-hub-${spoke.name}`],
        ]);
      }
      assert.equal(
        named(run, "aws:cloudwatch/eventRule:EventRule", "build-state-changes").provider,
        undefined,
      );
    });

    it("matches the same CodeBuild build state changes in each spoke as the hub's rule", () => {
      const hubPattern = named(run, "aws:cloudwatch/eventRule:EventRule", "build-state-changes").inputs
        .eventPattern;
      assert.deepEqual(JSON.parse(hubPattern as string), {
        source: ["aws.codebuild"],
        "detail-type": ["CodeBuild Build State Change"],
      });
      for (const spoke of spokes) {
        const rule = named(run, "aws:cloudwatch/eventRule:EventRule", `build-state-changes-${spoke.name}`);
        assert.deepEqual(JSON.parse(rule.inputs.eventPattern as string), JSON.parse(hubPattern as string));
        assert.equal(rule.inputs.eventBusName, undefined, "the spoke's default bus");
      }
    });

    it("sends each spoke's events to the hub's default bus with a role of the spoke's account", () => {
      for (const spoke of spokes) {
        const rule = named(run, "aws:cloudwatch/eventRule:EventRule", `build-state-changes-${spoke.name}`);
        const target = named(
          run,
          "aws:cloudwatch/eventTarget:EventTarget",
          `build-state-changes-${spoke.name}-to-hub`,
        );
        const role = named(run, "aws:iam/role:Role", `forward-to-hub-${spoke.name}`);
        assert.equal(target.inputs.rule, rule.outputs.name);
        assert.equal(target.inputs.arn, HUB_BUS);
        assert.equal(target.inputs.roleArn, role.outputs.arn);
        assert.match(
          role.outputs.arn as string,
          new RegExp(`^arn:aws:iam::${spoke.account}:role/forward-to-hub-`),
        );
        assert.match(
          rule.outputs.arn as string,
          new RegExp(`^arn:aws:events:${spoke.region}:${spoke.account}:rule/`),
        );
      }
      assert.deepEqual(
        run.outputs.spokeRuleArns,
        spokes.map(
          (spoke) =>
            named(run, "aws:cloudwatch/eventRule:EventRule", `build-state-changes-${spoke.name}`).outputs.arn,
        ),
      );
      assert.deepEqual(
        run.outputs.spokeRoleArns,
        spokes.map((spoke) => named(run, "aws:iam/role:Role", `forward-to-hub-${spoke.name}`).outputs.arn),
      );
      assert.equal(run.outputs.hubEventBusArn, HUB_BUS);
    });

    it("lets EventBridge alone assume a spoke's role, which may put events on the hub's bus and do nothing else", () => {
      for (const spoke of spokes) {
        const role = named(run, "aws:iam/role:Role", `forward-to-hub-${spoke.name}`);
        assert.deepEqual(role.inputs.assumeRolePolicy, {
          Version: "2012-10-17",
          Statement: [
            {
              Action: "sts:AssumeRole",
              Effect: "Allow",
              Sid: "AllowAssumeRole",
              Principal: { Service: "events.amazonaws.com" },
            },
          ],
        });
        const policy = named(run, "aws:iam/rolePolicy:RolePolicy", `forward-to-hub-${spoke.name}`);
        assert.equal(policy.inputs.role, role.outputs.name);
        assert.deepEqual(documentOf(policy.inputs.policy), {
          Version: "2012-10-17",
          Statement: [
            { Sid: "PutEventsOnHubBus", Effect: "Allow", Action: ["events:PutEvents"], Resource: [HUB_BUS] },
          ],
        });
      }
      assert.equal(ofType(run, "aws:iam/rolePolicyAttachment:RolePolicyAttachment").length, 0);
    });

    it("keeps the profile the hub deploys with for the spokes' providers", async () => {
      const withProfile = await runProgramUnderMocks(
        specRun({ ...configOf({ spokes: [{ region: "eu-west-1" }] }), "aws:profile": "platform" }),
      );
      assert.equal(single(withProfile, "pulumi:providers:aws").inputs.profile, "platform");
      for (const provider of ofType(run, "pulumi:providers:aws"))
        assert.equal(provider.inputs.profile, undefined);
    });

    it("accepts the region names of every partition", async () => {
      const regions = [
        "us-west-2",
        "eu-central-2",
        "ap-southeast-4",
        "ca-west-1",
        "il-central-1",
        "mx-central-1",
      ];
      const everywhere = await deploy({ spokes: regions.map((region) => ({ region })) });
      assert.deepEqual(
        ofType(everywhere, "pulumi:providers:aws").map((provider) => provider.inputs.region),
        regions,
      );
      // Other partitions' regions pass the shape check, and meet the partition check.
      for (const [region, partition] of [
        ["us-gov-west-1", "aws-us-gov"],
        ["cn-north-1", "aws-cn"],
        ["us-isob-east-1", "aws-iso-b"],
      ]) {
        const roleArn = `arn:${partition}:iam::${SPOKE_ACCOUNT}:role/deploy`;
        const { error } = await failedRun(
          configOf({ sourceAccounts: [SPOKE_ACCOUNT], spokes: [{ region, roleArn }] }),
          `a spoke in ${region}`,
        );
        assert.match(
          error.message,
          new RegExp(`its role is in partition ${partition}, the hub in aws`),
          region,
        );
      }
    });
  });

  describe("refused settings", () => {
    it("refuses malformed values before any resource, naming the config key, the entry and its value", async () => {
      const cases: [Record<string, unknown>, RegExp][] = [
        [
          { sourceAccounts: ["12345"] },
          /codebuild-webhooks:sourceAccounts\[0\] "12345" is not an AWS account ID/,
        ],
        [
          { sourceAccounts: [SPOKE_ACCOUNT, 444455556666] },
          /codebuild-webhooks:sourceAccounts\[1\] 444455556666 is a number: quote account IDs \("444455556666"\)/,
        ],
        [
          { sourceAccounts: SPOKE_ACCOUNT },
          /codebuild-webhooks:sourceAccounts must be a list of account IDs, not 111122223333/,
        ],
        [
          { sourceAccounts: `${SPOKE_ACCOUNT},${OTHER_ACCOUNT}` },
          /codebuild-webhooks:sourceAccounts is not valid JSON/,
        ],
        [
          { sourceAccounts: [SPOKE_ACCOUNT, OTHER_ACCOUNT, SPOKE_ACCOUNT] },
          /codebuild-webhooks:sourceAccounts\[2\] "111122223333" is listed twice/,
        ],
        [
          { organizationId: "o-ABC123DEF4" },
          /codebuild-webhooks:organizationId "o-ABC123DEF4" is not an AWS Organizations ID/,
        ],
        [
          { organizationId: "r-a1b2c3d4e5" },
          /codebuild-webhooks:organizationId "r-a1b2c3d4e5" is not an AWS Organizations ID/,
        ],
        [
          { spokes: [{ region: "us-east" }] },
          /codebuild-webhooks:spokes\[0\]\.region "us-east" is not an AWS region/,
        ],
        [
          { spokes: [{ region: "eu-west-1a" }] },
          /codebuild-webhooks:spokes\[0\]\.region "eu-west-1a" is not an AWS region/,
        ],
        [
          { spokes: [{ region: "EU-WEST-1" }] },
          /codebuild-webhooks:spokes\[0\]\.region "EU-WEST-1" is not an AWS region/,
        ],
        [{ spokes: [{ roleArn: DEPLOY_ROLE }] }, /codebuild-webhooks:spokes\[0\]\.region is missing/],
        [
          { spokes: [{ region: "eu-west-1", roleArn: "arn:aws:iam::1111:role/deploy" }] },
          /codebuild-webhooks:spokes\[0\]\.roleArn "arn:aws:iam::1111:role\/deploy" is not an IAM role ARN/,
        ],
        [
          { spokes: [{ region: "eu-west-1", roleArn: `arn:aws:iam::${SPOKE_ACCOUNT}:user/deployer` }] },
          /codebuild-webhooks:spokes\[0\]\.roleArn "arn:aws:iam::111122223333:user\/deployer" is not an IAM role ARN/,
        ],
        [
          { spokes: [{ region: "eu-west-1", rolearn: DEPLOY_ROLE }] },
          /codebuild-webhooks:spokes\[0\]\.rolearn is not a spoke field; a spoke takes "region" and "roleArn"/,
        ],
        [{ spokes: ["eu-west-1"] }, /codebuild-webhooks:spokes\[0\] "eu-west-1" must be a mapping/],
        [
          { spokes: { region: "eu-west-1" } },
          /codebuild-webhooks:spokes must be a list of \{ region, roleArn \} mappings/,
        ],
        [
          { spokes: [{ region: "eu-west-1" }, { region: "us-west-2" }, { region: "eu-west-1" }] },
          /codebuild-webhooks:spokes\[2\] \(eu-west-1\) repeats codebuild-webhooks:spokes\[0\] \(eu-west-1\)/,
        ],
        [
          {
            sourceAccounts: [SPOKE_ACCOUNT],
            spokes: [
              { region: "eu-west-1", roleArn: DEPLOY_ROLE },
              { region: "eu-west-1", roleArn: DEPLOY_ROLE },
            ],
          },
          /codebuild-webhooks:spokes\[1\] \(eu-west-1 in account 111122223333\) repeats codebuild-webhooks:spokes\[0\]/,
        ],
        [
          { notifierReservedConcurrency: "0" },
          /codebuild-webhooks:notifierReservedConcurrency "0" must be a whole number/,
        ],
        [
          { notifierReservedConcurrency: "2.5" },
          /codebuild-webhooks:notifierReservedConcurrency "2.5" must be a whole number/,
        ],
        [
          { notifierReservedConcurrency: "-5" },
          /codebuild-webhooks:notifierReservedConcurrency "-5" must be a whole number/,
        ],
        [
          { notifierReservedConcurrency: "many" },
          /codebuild-webhooks:notifierReservedConcurrency "many" must be a whole number/,
        ],
      ];
      for (const [settings, message] of cases) {
        const what = JSON.stringify(settings);
        const error = await failureBeforeAnyResource(configOf(settings), what);
        assert.match(error.message, message, what);
        assert.match(error.message, /See docs\/organization\.md/, what);
      }
    });

    it("names every problem of the settings at once", async () => {
      const error = await failureBeforeAnyResource(
        configOf({ sourceAccounts: ["12345"], organizationId: "o-x", spokes: [{ region: "mars-1" }] }),
        "three bad settings",
      );
      assert.match(error.message, /sourceAccounts\[0\] "12345"/);
      assert.match(error.message, /organizationId "o-x"/);
      assert.match(error.message, /spokes\[0\]\.region "mars-1"/);
    });

    it("refuses a spoke in another account that the hub's bus would not admit, naming it", async () => {
      for (const settings of [
        { spokes: [{ region: "eu-west-1", roleArn: DEPLOY_ROLE }] },
        { sourceAccounts: [OTHER_ACCOUNT], spokes: [{ region: "eu-west-1", roleArn: DEPLOY_ROLE }] },
      ]) {
        const error = await failureBeforeAnyResource(configOf(settings), JSON.stringify(settings));
        assert.match(
          error.message,
          /codebuild-webhooks:spokes\[0\] \(eu-west-1 in account 111122223333\): the hub's event bus would refuse its events; add "111122223333" to codebuild-webhooks:sourceAccounts or set codebuild-webhooks:organizationId/,
        );
      }
      // Within an organization, the bus admits the spoke's account.
      const inOrganization = await deploy({
        organizationId: ORGANIZATION,
        spokes: [{ region: "eu-west-1", roleArn: DEPLOY_ROLE }],
      });
      assert.equal(ofType(inOrganization, "pulumi:providers:aws").length, 1);
    });

    it("refuses a spoke of the hub's account in the hub's region (aws:region) before any resource", async () => {
      const cases: [string, Record<string, string>, RegExp][] = [
        [
          "a spoke in us-east-1, the hub's region",
          configOf({ spokes: [{ region: "eu-west-1" }, { region: REGION }] }),
          /codebuild-webhooks:spokes\[1\] \(us-east-1\) is the hub's own account and region \(aws:region us-east-1\), whose builds reach the notifier already; remove the entry \(a spoke without roleArn is in the hub's account\)/,
        ],
        [
          "a spoke in eu-west-1, the hub's region",
          { ...configOf({ spokes: [{ region: "eu-west-1" }] }), "aws:region": "eu-west-1" },
          /codebuild-webhooks:spokes\[0\] \(eu-west-1\) is the hub's own account and region \(aws:region eu-west-1\)/,
        ],
      ];
      for (const [what, config, message] of cases) {
        const error = await failureBeforeAnyResource(config, what);
        assert.match(error.message, message, what);
        assert.match(error.message, /See docs\/organization\.md/, what);
      }
    });

    it("refuses a spoke in the hub's account by its role, or repeating another, once the hub's account is known, and creates no spoke", async () => {
      const hubRole = `arn:aws:iam::${ACCOUNT}:role/codebuild-webhooks-deploy`;
      const cases: [Record<string, unknown>, RegExp, string][] = [
        [
          { sourceAccounts: [ACCOUNT], spokes: [{ region: REGION, roleArn: hubRole }] },
          /codebuild-webhooks:spokes\[0\] \(us-east-1 in account 123456789012\) cannot be deployed: it is the hub's own account and region/,
          `${ACCOUNT}-${REGION}`,
        ],
        [
          {
            sourceAccounts: [ACCOUNT],
            spokes: [{ region: "eu-west-1" }, { region: "eu-west-1", roleArn: hubRole }],
          },
          /codebuild-webhooks:spokes\[1\] \(eu-west-1 in account 123456789012\) cannot be deployed: it repeats codebuild-webhooks:spokes\[0\] \(eu-west-1\): both are account 123456789012/,
          `${ACCOUNT}-eu-west-1`,
        ],
      ];
      for (const [settings, message, refused] of cases) {
        const what = JSON.stringify(settings);
        const { error, registered } = await failedRun(configOf(settings), what);
        assert.match(error.message, message, what);
        assert.deepEqual(
          registered.filter((resource) => resource.name.includes(refused)).map((resource) => resource.name),
          [],
          `${what}: the refused spoke got no resource`,
        );
      }
    });
  });

  it("reserves the configured concurrency for the notifier", async () => {
    const run = await deploy({ notifierReservedConcurrency: "50" });
    assert.equal(single(run, "aws:lambda/function:Function").inputs.reservedConcurrentExecutions, 50);
  });

  it("deploys the example stack settings of docs/organization.md", async () => {
    const page = fs.readFileSync(path.join(__dirname, "..", "docs", "organization.md"), "utf8");
    const example = [...page.matchAll(/^```yaml\n(# Pulumi\.[\w-]+\.yaml\n[\s\S]*?)^```$/gm)];
    assert.equal(example.length, 1, "docs/organization.md has one example stack file");
    const { config } = parse(example[0][1]) as { config: Record<string, unknown> };
    const settings = Object.fromEntries(
      Object.entries(config)
        .filter(([key]) => key.startsWith("codebuild-webhooks:"))
        .map(([key, value]) => [key.slice("codebuild-webhooks:".length), value]),
    );
    const run = await deploy(settings);
    const spokes = settings.spokes as { region: string; roleArn?: string }[];
    assert.equal(ofType(run, "pulumi:providers:aws").length, spokes.length);
    assert.equal(ofType(run, "aws:cloudwatch/eventBusPolicy:EventBusPolicy").length, 1);
    assert.equal(
      single(run, "aws:lambda/function:Function").inputs.reservedConcurrentExecutions,
      settings.notifierReservedConcurrency,
    );
  });

  it("lets a receiver name a spoke's region, and refuses one no build comes from, before any resource", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "regional-receivers-"));
    try {
      fs.writeFileSync(
        path.join(dir, "ireland.yaml"),
        "projects: [my-app]\nstatuses: [FAILED]\nurl: { secret: slackWebhookUrl }\nregions: [eu-west-1]\n",
      );
      const run = await deploy({ receiversDir: dir, spokes: [{ region: "eu-west-1" }] });
      const item = JSON.parse(single(run, "aws:dynamodb/tableItem:TableItem").inputs.item as string);
      assert.deepEqual(item.regions, { L: [{ S: "eu-west-1" }] });

      const error = await failureBeforeAnyResource(
        configOf({ receiversDir: dir }),
        "a region without a spoke",
      );
      assert.match(
        error.message,
        /ireland\.yaml: regions\[0\] \(line 4\): no build of eu-west-1 reaches this stack/,
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
