import {
  PolicyResource,
  ResourceValidationArgs,
  ResourceValidationPolicy,
  StackValidationPolicy,
  unknownCheckingProxy,
} from "@pulumi/policy";
import type { MockedResource } from "../../local/programUnderMocks";
import { policies } from "../../policy/policies";

/** A resource as a policy sees it: its type, name and properties (a stack's properties are its outputs). */
export interface ResourceUnderPolicy {
  type: string;
  name: string;
  props: Record<string, unknown>;
}

export interface Violation {
  policy: string;
  message: string;
  /** The resource a stack policy names, if any. */
  urn?: string;
}

class NotApplicable extends Error {}

export function urnOf(resource: Pick<ResourceUnderPolicy, "type" | "name">, project: string): string {
  return `urn:pulumi:dev::${project}::${resource.type}::${resource.name}`;
}

const OPTIONS = {
  protect: false,
  ignoreChanges: [],
  aliases: [],
  customTimeouts: { createSeconds: 0, updateSeconds: 0, deleteSeconds: 0 },
  additionalSecretOutputs: [],
};

/**
 * What the analyzer tells a policy of any resource: properties wrapped so that reading an unknown value
 * throws, and type tests. Resource classes recognize their instances by Pulumi type token, which is all
 * the analyzer knows.
 */
function analyzedResource(resource: ResourceUnderPolicy, project: string) {
  const props = unknownCheckingProxy(resource.props);
  const isType = (resourceClass: object) =>
    (resourceClass as { isInstance(candidate: unknown): boolean }).isInstance({
      __pulumiType: resource.type,
    });
  return {
    type: resource.type,
    name: resource.name,
    props,
    urn: urnOf(resource, project),
    opts: OPTIONS,
    isType,
    // Typed by each caller: resource and stack policies declare it differently.
    asType: (resourceClass: object) => (isType(resourceClass) ? props : undefined),
  };
}

/** What `--policy-pack-config` gives each policy: its properties, by policy name. */
export type PackConfig = Record<string, object>;

/** The arguments the analyzer passes a resource policy, with that policy's config. */
export function validationArgs(
  resource: ResourceUnderPolicy,
  project: string,
  config: object = {},
): ResourceValidationArgs {
  const { asType, ...analyzed } = analyzedResource(resource, project);
  return {
    ...analyzed,
    asType: asType as ResourceValidationArgs["asType"],
    stackTags: new Map(),
    getConfig: <T extends object>() => config as T,
    notApplicable: () => {
      throw new NotApplicable();
    },
  };
}

/**
 * A stack's resources as the analyzer passes them to stack policies. `dependsOn` names, per property,
 * the resources (`<type>::<name>`) the property's value came from, as the engine records them.
 */
export function stackResources(
  resources: (ResourceUnderPolicy & { dependsOn?: Record<string, string[]> })[],
  project: string,
): PolicyResource[] {
  const built = resources.map((resource): PolicyResource => {
    const { asType, ...analyzed } = analyzedResource(resource, project);
    return {
      ...analyzed,
      asType: asType as PolicyResource["asType"],
      dependencies: [],
      propertyDependencies: {},
    };
  });
  resources.forEach(({ dependsOn }, index) => {
    for (const [prop, names] of Object.entries(dependsOn ?? {})) {
      built[index].propertyDependencies[prop] = names.map((name) => {
        const dependency = built.find((candidate) => `${candidate.type}::${candidate.name}` === name);
        if (!dependency) throw new Error(`no resource ${name}`);
        return dependency;
      });
    }
  });
  return built;
}

function isStackPolicy(
  policy: ResourceValidationPolicy | StackValidationPolicy,
): policy is StackValidationPolicy {
  return "validateStack" in policy;
}

/** Runs every resource policy of the pack on a resource, as the analyzer does for each resource of an update. */
export async function resourceViolations(
  resource: ResourceUnderPolicy,
  project: string,
  config: PackConfig = {},
): Promise<Violation[]> {
  const violations: Violation[] = [];
  for (const policy of policies) {
    if (isStackPolicy(policy) || !policy.validateResource) continue;
    const validations = [policy.validateResource].flat();
    for (const validate of validations) {
      try {
        await validate(validationArgs(resource, project, config[policy.name]), (message) =>
          violations.push({ policy: policy.name, message }),
        );
      } catch (error) {
        if (!(error instanceof NotApplicable)) throw error;
      }
    }
  }
  return violations;
}

/** Runs every stack policy of the pack on a stack's resources, as the analyzer does at the end of an update. */
export async function stackViolations(resources: PolicyResource[]): Promise<Violation[]> {
  const violations: Violation[] = [];
  for (const policy of policies) {
    if (!isStackPolicy(policy)) continue;
    try {
      await policy.validateStack(
        {
          resources,
          stackTags: new Map(),
          getConfig: <T extends object>() => ({}) as T,
          notApplicable: () => {
            throw new NotApplicable();
          },
        },
        (message, urn) => violations.push({ policy: policy.name, message, ...(urn ? { urn } : {}) }),
      );
    } catch (error) {
      if (!(error instanceof NotApplicable)) throw error;
    }
  }
  return violations;
}

/** A resource of a program run under mocks, with the inputs and outputs the pack reads. */
type ProgramResource = Pick<MockedResource, "type" | "name" | "inputs" | "outputs">;

/** What the pack reports of a program's resource before creating it: its inputs. */
export function programResourceViolations(resource: ProgramResource, project: string): Promise<Violation[]> {
  return resourceViolations({ type: resource.type, name: resource.name, props: resource.inputs }, project);
}

/** What the stack policies report at the end of a program's update: every resource with its outputs. */
export function programStackViolations(resources: ProgramResource[], project: string): Promise<Violation[]> {
  return stackViolations(
    stackResources(
      resources.map(({ type, name, outputs }) => ({ type, name, props: outputs })),
      project,
    ),
  );
}

/**
 * Every violation the pack reports on a program's resources, as a `pulumi up` under it meets them: each
 * resource's inputs before it is created, then the whole stack with every resource's outputs.
 */
export async function programViolations(resources: ProgramResource[], project: string): Promise<Violation[]> {
  const each = await Promise.all(resources.map((resource) => programResourceViolations(resource, project)));
  return [...each.flat(), ...(await programStackViolations(resources, project))];
}

/** What a violation in a stack of another project tells the owner of a renamed copy of this project. */
export function listingHint(project: string): string {
  return (
    `If "${project}" is a renamed copy of codebuild-webhooks: add "${project}" to WEBHOOKS_PROJECTS in ` +
    `policy/webhooksScope.ts, raise the version in policy/package.json and publish the pack again.`
  );
}
