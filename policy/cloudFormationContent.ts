import { ResourceValidationArgs } from "@pulumi/policy";
import { CandidateText, readTemplate } from "./cloudFormationTemplate";

/**
 * A resource some CloudFormation content declares (a template's resource, a Cloud Control resource),
 * in the shape of its aws-native counterpart, so the policies judge it as they judge that type.
 */
export interface DeclaredResource {
  /** How messages name it: `CloudFormation resource "Url" (AWS::SSM::Parameter)`. */
  label: string;
  /** The aws-native type token of its CloudFormation type (`aws-native:ssm:Parameter`). */
  type: string;
  props: Record<string, unknown>;
  /** What else its declaration says, beside the properties (see TemplateResource). */
  candidateText: CandidateText[];
}

export interface CloudFormationContent {
  resources: DeclaredResource[];
  /** What the pack cannot read, each naming where it is and why: a template URL, a transform... */
  unreadable: string[];
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** `AWS::SSM::Parameter` → `aws-native:ssm:Parameter`. */
function nativeType(cloudFormationType: string): string {
  const [, service = "", name = ""] = cloudFormationType.split("::");
  return `aws-native:${service.toLowerCase()}:${name}`;
}

function lowerFirst(name: string): string {
  return name.charAt(0).toLowerCase() + name.slice(1);
}

/**
 * CloudFormation's property names as aws-native spells them (`PolicyDocument` → `policyDocument`), for
 * the properties and the objects of their lists (`Policies`, `Parameters`); documents keep their case.
 */
function nativeProps(properties: Record<string, unknown>): Record<string, unknown> {
  const lowered = (record: Record<string, unknown>) =>
    Object.fromEntries(Object.entries(record).map(([key, value]) => [lowerFirst(key), value]));
  return Object.fromEntries(
    Object.entries(lowered(properties)).map(([key, value]) => [
      key,
      Array.isArray(value) ? value.map((item) => (isRecord(item) ? lowered(item) : item)) : value,
    ]),
  );
}

/** Content declared inside a declared resource (a stack set in a template) joins its parent's, named below it. */
function withNested(declared: DeclaredResource[]): CloudFormationContent {
  const resources: DeclaredResource[] = [];
  const unreadable: string[] = [];
  for (const resource of declared) {
    resources.push(resource);
    const nested = cloudFormationContent(resource.type, resource.props);
    if (!nested) continue;
    resources.push(
      ...nested.resources.map((inner) => ({ ...inner, label: `${resource.label} > ${inner.label}` })),
    );
    unreadable.push(...nested.unreadable.map((reason) => `${resource.label}: ${reason}`));
  }
  return { resources, unreadable };
}

/** The value a stack gives a template parameter: a map, or aws-native stack sets' list of key and value. */
function parameterLookup(parameters: unknown): (name: string) => string | undefined {
  return (name) => {
    const value = Array.isArray(parameters)
      ? parameters.find((parameter: Record<string, unknown>) => parameter.parameterKey === name)
          ?.parameterValue
      : isRecord(parameters)
        ? parameters[name]
        : undefined;
    return typeof value === "string" ? value : undefined;
  };
}

interface DeployedTemplate {
  body: unknown;
  /** Where the template comes from when it is not in the body: S3, which the pack cannot read. */
  url: () => unknown;
  parameters: unknown;
  stackName: string;
}

function templateContent({ body, url, parameters, stackName }: DeployedTemplate): CloudFormationContent {
  if (body === undefined || body === null || body === "") {
    const from = url();
    return {
      resources: [],
      unreadable: [
        typeof from === "string" && from !== ""
          ? `the template at ${JSON.stringify(from)} (the pack reads templates passed as templateBody only)`
          : "a stack with neither templateBody nor templateUrl",
      ],
    };
  }
  const template = readTemplate(body, { parameter: parameterLookup(parameters), stackName });
  const content = withNested(
    template.resources.map(({ logicalId, type, properties, candidateText }) => ({
      label: `CloudFormation resource "${logicalId}" (${type})`,
      type: nativeType(type),
      props: nativeProps(properties),
      candidateText,
    })),
  );
  return { resources: content.resources, unreadable: [...template.unreadable, ...content.unreadable] };
}

/** Stack instances are named `StackSet-<stack set name>-<id>`. */
function stackSetInstanceName(stackSetName: unknown): string {
  return typeof stackSetName === "string" ? `StackSet-${stackSetName}-*` : "*";
}

/**
 * The resources a Pulumi resource has CloudFormation (or Cloud Control, CloudFormation's resource model)
 * create, and what of them the pack cannot read; undefined for resources that create nothing that way.
 */
export function cloudFormationContent(
  type: string,
  props: ResourceValidationArgs["props"],
): CloudFormationContent | undefined {
  switch (type) {
    case "aws:cloudformation/stack:Stack":
      return templateContent({
        body: props.templateBody,
        url: () => props.templateUrl,
        parameters: props.parameters,
        stackName: typeof props.name === "string" ? props.name : "*",
      });
    case "aws-native:cloudformation:Stack":
      return templateContent({
        body: props.templateBody,
        // A template's nested stack spells it TemplateURL; the aws-native provider, templateUrl.
        url: () => props.templateUrl ?? props.templateURL,
        parameters: props.parameters,
        stackName: typeof props.stackName === "string" ? props.stackName : "*",
      });
    case "aws:cloudformation/stackSet:StackSet":
      return templateContent({
        body: props.templateBody,
        url: () => props.templateUrl,
        parameters: props.parameters,
        stackName: stackSetInstanceName(props.name),
      });
    case "aws-native:cloudformation:StackSet":
      return templateContent({
        body: props.templateBody,
        url: () => props.templateUrl ?? props.templateURL,
        parameters: props.parameters,
        stackName: stackSetInstanceName(props.stackSetName),
      });
    case "aws:cloudcontrol/resource:Resource": {
      let state: unknown;
      try {
        state = JSON.parse(props.desiredState);
      } catch {
        return { resources: [], unreadable: ["a desiredState that is not JSON"] };
      }
      const typeName = String(props.typeName);
      return withNested([
        {
          label: `Cloud Control resource (${typeName})`,
          type: nativeType(typeName),
          props: isRecord(state) ? nativeProps(state) : {},
          candidateText: [],
        },
      ]);
    }
    case "aws:servicecatalog/provisionedProduct:ProvisionedProduct":
    case "aws-native:servicecatalog:CloudFormationProvisionedProduct":
      return {
        resources: [],
        unreadable: ["a Service Catalog product (its template lives in Service Catalog)"],
      };
    case "aws:serverlessrepository/cloudFormationStack:CloudFormationStack": {
      const capabilities: unknown[] = Array.isArray(props.capabilities) ? props.capabilities : [];
      return {
        resources: [],
        unreadable: [
          `the template of Serverless Application Repository application ${JSON.stringify(props.applicationId)} ` +
            `(it lives in the repository)` +
            (capabilities.length > 0
              ? `, deployed with ${capabilities.join(", ")}: it may create IAM roles and policies`
              : ""),
        ],
      };
    }
    default:
      return undefined;
  }
}
