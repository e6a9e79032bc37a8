import * as pulumi from "@pulumi/pulumi";
import { createHash } from "node:crypto";
import * as path from "node:path";
import type { RegisterResourceRequest } from "@pulumi/pulumi/proto/resource_pb";
import { ACCOUNT, REGION } from "./mockedAccount";
import { leavePulumiPromiseStacksUnmapped } from "./pulumiPromiseStacks";
import { PROJECT_ROOT, stackConfig, stackProject, type Stack } from "./stackConfig";

export { ACCOUNT, REGION };

/** A resource the program registered, with its inputs as the engine received them. */
export interface MockedResource {
  type: string;
  name: string;
  /** Inputs with secrets unwrapped. */
  inputs: Record<string, unknown>;
  /** Names of the inputs that arrived as secrets (encrypted in the stack's state). */
  secretInputs: string[];
  /** The outputs the provider reported (inputs plus computed names and ARNs). */
  outputs: Record<string, unknown>;
  /** Whether the program registered it with Pulumi's `protect` option. */
  protect: boolean;
  /**
   * The resources the engine creates before it, as `type::name`: those its inputs name and those of its
   * `dependsOn`. Creation order follows these alone. Recorded by runProgramUnderMocks.
   */
  dependsOn?: string[];
  /** The explicit provider it is created with (its region, the role it assumes); absent for the stack's own. */
  provider?: MockedResource;
}

/** Where a resource lives: the stack's account and region, or those of its provider. */
export interface ResourceLocation {
  region: string;
  account: string;
}

/** The account and region a resource lives in: its provider's region, and the account of the role it assumes. */
export function locationOf(resource: Pick<MockedResource, "provider">): ResourceLocation {
  const inputs = resource.provider?.inputs ?? {};
  const assumeRoles =
    typeof inputs.assumeRoles === "string" ? (JSON.parse(inputs.assumeRoles) as { roleArn?: string }[]) : [];
  const roleAccount = assumeRoles[0]?.roleArn?.split(":")[4];
  return { region: (inputs.region as string | undefined) ?? REGION, account: roleAccount ?? ACCOUNT };
}

export interface ProgramRunOptions {
  /** The stack deployed, and its settings file. */
  stack: Stack;
  /**
   * The Pulumi project's name (`name:` in Pulumi.yaml), which namespaces its config keys; the stack's
   * project by default.
   */
  project?: string;
  /** Config values over the stack's (keys with or without the project namespace). */
  config?: Record<string, string>;
  /** Config keys whose values are secrets, as `pulumi config set --secret` marks them. */
  secretKeys?: string[];
  /** Config keys (without the project namespace) left out altogether, defaults included. */
  unset?: string[];
  /** Creates a resource on local stand-ins; the returned values join the resource's outputs. */
  materialize?: (resource: MockedResource) => Promise<Record<string, unknown> | undefined>;
}

export interface ProgramRun {
  resources: MockedResource[];
  /** The stack outputs that are values (not resources), resolved. */
  outputs: Record<string, unknown>;
  /** Names of the program's exports that are whole resources (every property of theirs would be an output). */
  exportedResources: string[];
}

const SECRET = { key: pulumi.runtime.specialSigKey, value: pulumi.runtime.specialSecretSig };

function isSecretValue(value: unknown): value is { value: unknown } {
  return (
    typeof value === "object" &&
    value !== null &&
    (value as Record<string, unknown>)[SECRET.key] === SECRET.value
  );
}

function unwrapSecrets(value: unknown): unknown {
  if (isSecretValue(value)) return unwrapSecrets(value.value);
  if (Array.isArray(value)) return value.map(unwrapSecrets);
  if (value && typeof value === "object" && Object.getPrototypeOf(value) === Object.prototype) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, unwrapSecrets(item)]));
  }
  return value;
}

/** The name AWS resources get when the program leaves naming to Pulumi (name plus a stable suffix). */
function autoName(name: string): string {
  return `${name}-${createHash("sha256").update(name).digest("hex").slice(0, 7)}`;
}

/** The outputs the AWS provider would report for the resource types this program creates. */
function providerOutputs(
  type: string,
  name: string,
  inputs: Record<string, unknown>,
  { region, account }: ResourceLocation,
): Record<string, unknown> {
  const physical = (inputs.name as string | undefined) ?? autoName(name);
  const arn = (service: string, resource: string) => `arn:aws:${service}:${region}:${account}:${resource}`;
  switch (type) {
    case "aws:dynamodb/table:Table":
      return { name: physical, arn: arn("dynamodb", `table/${physical}`) };
    case "aws:iam/role:Role":
      return { name: physical, arn: `arn:aws:iam::${account}:role/${physical}` };
    case "aws:cloudwatch/logGroup:LogGroup":
      return { name: physical, arn: arn("logs", `log-group:${physical}`) };
    case "aws:lambda/function:Function":
      return { name: physical, arn: arn("lambda", `function:${physical}`) };
    case "aws:cloudwatch/eventRule:EventRule":
      return { name: physical, arn: arn("events", `rule/${physical}`) };
    case "aws:sqs/queue:Queue":
      return {
        name: physical,
        arn: arn("sqs", physical),
        url: `https://sqs.${region}.amazonaws.com/${account}/${physical}`,
      };
    case "aws:sns/topic:Topic":
      return { name: physical, arn: arn("sns", physical) };
    case "aws:sns/topicSubscription:TopicSubscription":
      return {
        arn: `${inputs.topic as string}:${createHash("sha256").update(name).digest("hex").slice(0, 32)}`,
      };
    case "aws:cloudwatch/metricAlarm:MetricAlarm":
      return { name: physical, arn: arn("cloudwatch", `alarm:${physical}`) };
    case "aws:cloudwatch/dashboard:Dashboard":
      // Dashboards are global to the account: their ARN has no region.
      return { dashboardArn: `arn:aws:cloudwatch::${account}:dashboard/${inputs.dashboardName as string}` };
    case "aws:kms/key:Key": {
      const keyId = createHash("sha256").update(name).digest("hex").slice(0, 32);
      return { keyId, arn: arn("kms", `key/${keyId}`) };
    }
    case "aws:ssm/parameter:Parameter":
      return { arn: arn("ssm", `parameter${physical}`) };
    default:
      return {};
  }
}

function physicalId(type: string, outputs: Record<string, unknown>, name: string): string {
  // Roles and tables are identified by name, which other resources reference through `id`.
  if (type === "aws:iam/role:Role" || type === "aws:dynamodb/table:Table") return outputs.name as string;
  return `${name}-id`;
}

function callResult(token: string, inputs: Record<string, unknown>): Record<string, unknown> {
  switch (token) {
    case "aws:index/getPartition:getPartition":
      return { id: "aws", partition: "aws", dnsSuffix: "amazonaws.com" };
    case "aws:index/getRegion:getRegion":
      return { id: REGION, name: REGION, region: REGION };
    case "aws:index/getCallerIdentity:getCallerIdentity":
      return {
        id: ACCOUNT,
        accountId: ACCOUNT,
        arn: `arn:aws:iam::${ACCOUNT}:user/deployer`,
        userId: "AIDEXAMPLE",
      };
    default:
      return inputs;
  }
}

/** `type::name` of a resource URN (`urn:pulumi:<stack>::<project>::<parent types$>type::name`). */
function typeAndName(urn: string): string {
  const [, , qualifiedType, name] = urn.split("::");
  return `${qualifiedType.slice(qualifiedType.lastIndexOf("$") + 1)}::${name}`;
}

function promiseOf<T>(output: pulumi.Output<T>): Promise<T> {
  return new Promise((resolve) => output.apply((value) => resolve(value)));
}

/**
 * Runs index.ts as `pulumi up` would, with the engine replaced by Pulumi's mocks: every resource the
 * program registers is recorded (and optionally materialized on local stand-ins), every stack output
 * resolved. Each call runs the program afresh, so tests can vary config and receiver files.
 */
export async function runProgramUnderMocks(options: ProgramRunOptions): Promise<ProgramRun> {
  leavePulumiPromiseStacksUnmapped();
  const project = options.project ?? stackProject(options.stack);
  const resources: MockedResource[] = [];
  /** Providers by the id the mocks gave them: resources name theirs as `<urn>::<id>`. */
  const providers = new Map<string, MockedResource>();
  const failures: unknown[] = [];
  // Pulumi's mocks hand `newResource` no resource options: `protect` and the dependencies are read off
  // the engine request.
  const protectedResources = new Set<string>();
  const dependencies = new Map<string, string[]>();
  await pulumi.runtime.setMocks(
    {
      newResource: async (args) => {
        const secretInputs = Object.keys(args.inputs).filter((key) => isSecretValue(args.inputs[key]));
        const inputs = unwrapSecrets(args.inputs) as Record<string, unknown>;
        const provider = args.provider
          ? providers.get(args.provider.slice(args.provider.lastIndexOf("::") + 2))
          : undefined;
        const location = locationOf({ provider });
        const outputs = { ...args.inputs, ...providerOutputs(args.type, args.name, inputs, location) };
        const key = `${args.type}::${args.name}`;
        const resource: MockedResource = {
          type: args.type,
          name: args.name,
          inputs,
          secretInputs,
          outputs,
          protect: protectedResources.has(key),
          dependsOn: dependencies.get(key) ?? [],
        };
        if (provider) resource.provider = provider;
        resources.push(resource);
        try {
          Object.assign(outputs, (await options.materialize?.(resource)) ?? {});
        } catch (error) {
          failures.push(error);
        }
        const id = physicalId(args.type, outputs, args.name);
        if (args.type.startsWith("pulumi:providers:")) providers.set(id, resource);
        return { id, state: outputs };
      },
      call: (args) => callResult(args.token, args.inputs),
    },
    project,
    options.stack.name,
    false,
  );
  const config = stackConfig(options.stack, options.config, project);
  for (const key of options.unset ?? []) Reflect.deleteProperty(config, `${project}:${key}`);
  pulumi.runtime.setAllConfig(config, options.secretKeys);
  const monitor = pulumi.runtime.getMonitor() as unknown as {
    registerResource(request: RegisterResourceRequest, callback: unknown): void;
  };
  const registerResource = monitor.registerResource.bind(monitor);
  monitor.registerResource = (request, callback) => {
    const key = `${request.getType()}::${request.getName()}`;
    if (request.getProtect()) protectedResources.add(key);
    dependencies.set(key, request.getDependenciesList().map(typeAndName));
    registerResource(request, callback);
  };

  // The program registers its resources when its module is evaluated: evaluate it afresh each run. The
  // local tools and the specs' support are no part of it, and keep what they hold (a shared run, a clone).
  for (const file of Object.keys(require.cache)) {
    if (
      file.startsWith(PROJECT_ROOT) &&
      !file.includes(`${path.sep}node_modules${path.sep}`) &&
      !file.includes(`${path.sep}local${path.sep}`) &&
      !file.startsWith(path.join(PROJECT_ROOT, "test", "support") + path.sep)
    ) {
      Reflect.deleteProperty(require.cache, file);
    }
  }
  // A check on a value known only at run time (an Output) fails the program the way `pulumi up` reports it:
  // as a rejection nobody handles. The first such failure is the run's error.
  let programFailed: (reason: unknown) => void = () => undefined;
  const failure = new Promise<never>((_, reject) => (programFailed = reject));
  failure.catch(() => undefined);
  process.on("unhandledRejection", programFailed);
  const outputs: Record<string, unknown> = {};
  const exportedResources: string[] = [];
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a CommonJS load, so the cache above applies
    const program = require(path.join(PROJECT_ROOT, "index.ts")) as Record<string, unknown>;
    for (const [key, value] of Object.entries(program)) {
      if (pulumi.Resource.isInstance(value)) exportedResources.push(key);
      else
        outputs[key] = pulumi.Output.isInstance(value)
          ? await Promise.race([promiseOf(value), failure])
          : value;
    }
    await Promise.race([pulumi.runtime.disconnect(), failure]);
  } finally {
    process.off("unhandledRejection", programFailed);
  }
  if (failures.length > 0) throw failures[0];
  return { resources, outputs, exportedResources };
}
