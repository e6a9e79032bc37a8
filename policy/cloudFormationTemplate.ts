import { Document, isAlias, isMap, isScalar, isSeq, parseDocument } from "yaml";

/** A resource a template declares, its properties with the intrinsic functions the pack can evaluate. */
export interface TemplateResource {
  logicalId: string;
  type: string;
  properties: Record<string, unknown>;
}

export interface ReadTemplate {
  resources: TemplateResource[];
  /** What keeps parts of the template from the pack's view, e.g. a transform. */
  unreadable: string[];
}

/** What the stack deploying a template gives it. */
export interface TemplateInputs {
  /** The value passed for a template parameter, if any. */
  parameter(name: string): string | undefined;
  /** `AWS::StackName`, with `*` where the name is only partly known. */
  stackName: string;
}

/**
 * Pseudo parameters whose values hold no `/` and never spell `webhooks`: kept as `${AWS::Region}`, they
 * neither move a name under /webhooks/ nor out of it, and IAM matching reads them as wildcards.
 */
const OPAQUE_PSEUDO_PARAMETERS = new Set([
  "AWS::Region",
  "AWS::AccountId",
  "AWS::Partition",
  "AWS::URLSuffix",
]);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** A YAML node as JSON, with CloudFormation's short forms (`!Sub`, `!Ref`) as their long forms. */
function yamlValue(node: unknown, document: Document): unknown {
  if (isAlias(node)) return yamlValue(node.resolve(document), document);
  let value: unknown = node ?? null;
  if (isMap(node)) {
    value = Object.fromEntries(
      node.items.map((pair) => [
        String(isScalar(pair.key) ? pair.key.value : pair.key),
        yamlValue(pair.value, document),
      ]),
    );
  } else if (isSeq(node)) {
    value = node.items.map((item) => yamlValue(item, document));
  } else if (isScalar(node)) {
    value = node.value;
  }
  const tag = (node as { tag?: string } | null)?.tag;
  if (!tag?.startsWith("!")) return value;
  const name = tag.slice(1);
  return { [name === "Ref" || name === "Condition" ? name : `Fn::${name}`]: value };
}

/** The template as JSON: CloudFormation takes JSON or YAML; undefined when it is neither. */
function parseTemplate(body: unknown): unknown {
  if (typeof body !== "string") return body;
  try {
    return JSON.parse(body);
  } catch {
    const document = parseDocument(body);
    return document.errors.length > 0 ? undefined : yamlValue(document.contents, document);
  }
}

/** Whether a key appears anywhere in a JSON value. */
function hasKey(value: unknown, key: string): boolean {
  if (Array.isArray(value)) return value.some((item) => hasKey(item, key));
  if (!isRecord(value)) return false;
  return Object.entries(value).some(([name, item]) => name === key || hasKey(item, key));
}

/**
 * Evaluates the intrinsic functions whose result the pack can know: `Ref` and `Fn::Sub` of template
 * parameters and pseudo parameters, and `Fn::Join`. Any other function (`Fn::GetAtt`, `Fn::If`,
 * `Fn::ImportValue`...) and a reference to a resource evaluate to `*`: a value that can be anything.
 */
function evaluator(template: Record<string, unknown>, inputs: TemplateInputs): (value: unknown) => unknown {
  const declared = isRecord(template.Parameters) ? template.Parameters : {};
  const reference = (name: string): string => {
    if (OPAQUE_PSEUDO_PARAMETERS.has(name)) return `\${${name}}`;
    if (name === "AWS::StackName") return inputs.stackName;
    const parameter = declared[name];
    if (!isRecord(parameter)) return "*";
    // The value of an SSM-typed parameter is read from Parameter Store when the stack deploys.
    if (String(parameter.Type).startsWith("AWS::SSM::Parameter::Value")) return "*";
    const value = inputs.parameter(name) ?? parameter.Default;
    return typeof value === "string" || typeof value === "number" ? String(value) : "*";
  };
  const text = (value: unknown): string =>
    typeof value === "string" || typeof value === "number" || typeof value === "boolean"
      ? String(value)
      : "*";
  const evaluate = (value: unknown): unknown => {
    if (Array.isArray(value)) return value.map(evaluate);
    if (!isRecord(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === "Ref" || keys[0].startsWith("Fn::"))) {
      const argument = value[keys[0]];
      switch (keys[0]) {
        case "Ref":
          return reference(String(argument));
        case "Fn::Sub": {
          const [pattern, variables] = Array.isArray(argument) ? argument : [argument, {}];
          if (typeof pattern !== "string") return "*";
          const given = isRecord(variables) ? variables : {};
          return pattern.replace(/\$\{([^}]*)\}/g, (_, name: string) => {
            if (name.startsWith("!")) return `\${${name.slice(1)}}`;
            return name in given ? text(evaluate(given[name])) : reference(name);
          });
        }
        case "Fn::Join": {
          const [delimiter, parts] = Array.isArray(argument) ? argument : [];
          if (typeof delimiter !== "string" || !Array.isArray(parts)) return "*";
          return parts.map((part) => text(evaluate(part))).join(delimiter);
        }
        default:
          return "*";
      }
    }
    return Object.fromEntries(keys.map((key) => [key, evaluate(value[key])]));
  };
  return evaluate;
}

/**
 * The resources a CloudFormation template (a JSON or YAML string, or the template object) declares,
 * every one of them whatever its `Condition`, and what keeps the template from being read whole.
 */
export function readTemplate(body: unknown, inputs: TemplateInputs): ReadTemplate {
  const template = parseTemplate(body);
  if (!isRecord(template)) return { resources: [], unreadable: ["a template that is neither JSON nor YAML"] };
  const unreadable: string[] = [];
  if (template.Transform !== undefined) {
    unreadable.push(
      `Transform ${JSON.stringify(template.Transform)} (a transform rewrites the template before CloudFormation creates anything)`,
    );
  }
  if (hasKey(template, "Fn::Transform")) {
    unreadable.push(
      "Fn::Transform (a macro, AWS::Include among them, inserts content the template does not show)",
    );
  }
  const evaluate = evaluator(template, inputs);
  const declared = isRecord(template.Resources) ? template.Resources : {};
  const resources = Object.entries(declared).flatMap(([logicalId, resource]) => {
    if (!isRecord(resource) || typeof resource.Type !== "string") return [];
    const properties = evaluate(resource.Properties);
    return [{ logicalId, type: resource.Type, properties: isRecord(properties) ? properties : {} }];
  });
  return { resources, unreadable };
}
