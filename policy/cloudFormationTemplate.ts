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

/** What `Ref: AWS::NoValue` leaves: no property, no list item. */
const NO_VALUE = Symbol("AWS::NoValue");

/** Which way each condition goes in one reading of a resource. */
type Reading = ReadonlyMap<string, boolean>;

/** How many conditions one resource may choose on: a resource is read 2^n times. */
const MAX_CONDITIONS = 6;

/**
 * Evaluates the intrinsic functions whose result the pack can know: `Ref` and `Fn::Sub` of template
 * parameters and pseudo parameters, `Fn::Join`, and `Fn::If` the way the reading says its condition goes
 * (`Ref: AWS::NoValue` leaves the property or list item out). Any other function (`Fn::GetAtt`,
 * `Fn::ImportValue`...) and a reference to a resource evaluate to `*`: a value that can be anything.
 */
function evaluator(
  template: Record<string, unknown>,
  inputs: TemplateInputs,
): (value: unknown, reading: Reading) => unknown {
  const declared = isRecord(template.Parameters) ? template.Parameters : {};
  const reference = (name: string): string | typeof NO_VALUE => {
    if (name === "AWS::NoValue") return NO_VALUE;
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
  const evaluate = (value: unknown, reading: Reading): unknown => {
    if (Array.isArray(value)) {
      return value.map((item) => evaluate(item, reading)).filter((item) => item !== NO_VALUE);
    }
    if (!isRecord(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === "Ref" || keys[0].startsWith("Fn::"))) {
      const argument = value[keys[0]];
      switch (keys[0]) {
        case "Ref":
          return reference(String(argument));
        case "Fn::If": {
          const [condition, whenTrue, whenFalse] = Array.isArray(argument) ? argument : [];
          return evaluate(reading.get(String(condition)) ? whenTrue : whenFalse, reading);
        }
        case "Fn::Sub": {
          const [pattern, variables] = Array.isArray(argument) ? argument : [argument, {}];
          if (typeof pattern !== "string") return "*";
          const given = isRecord(variables) ? variables : {};
          return pattern.replace(/\$\{([^}]*)\}/g, (_, name: string) => {
            if (name.startsWith("!")) return `\${${name.slice(1)}}`;
            return text(name in given ? evaluate(given[name], reading) : reference(name));
          });
        }
        case "Fn::Join": {
          const [delimiter, parts] = Array.isArray(argument) ? argument : [];
          if (typeof delimiter !== "string" || !Array.isArray(parts)) return "*";
          return (evaluate(parts, reading) as unknown[]).map(text).join(delimiter);
        }
        default:
          return "*";
      }
    }
    return Object.fromEntries(
      keys.map((key) => [key, evaluate(value[key], reading)]).filter(([, item]) => item !== NO_VALUE),
    );
  };
  return evaluate;
}

/** The conditions a value's `Fn::If` choose on, in the order they appear. */
function conditionsIn(value: unknown, found = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) conditionsIn(item, found);
  } else if (isRecord(value)) {
    for (const [key, item] of Object.entries(value)) {
      if (key === "Fn::If" && Array.isArray(item)) found.add(String(item[0]));
      conditionsIn(item, found);
    }
  }
  return found;
}

/** Every way the conditions can go: the first condition true in the first half, and so on. */
function readingsOf(conditions: string[]): Reading[] {
  return Array.from(
    { length: 2 ** conditions.length },
    (_, index) =>
      new Map(
        conditions.map((condition, at) => [condition, ((index >> (conditions.length - 1 - at)) & 1) === 0]),
      ),
  );
}

/**
 * The resources a CloudFormation template (a JSON or YAML string, or the template object) declares,
 * every one of them whatever its `Condition`, once for each way the conditions of its `Fn::If` can go
 * (a reading the same as another is given once), and what keeps the template from being read whole.
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
    const type = resource.Type;
    // A condition's value is the pack's guess at best (it may depend on a parameter, a region, another
    // condition): a resource is read each way its conditions can go, and every reading is judged.
    const conditions = [...conditionsIn(resource.Properties)];
    if (conditions.length > MAX_CONDITIONS) {
      unreadable.push(
        `resource "${logicalId}", whose Fn::If choose on ${conditions.length} conditions ` +
          `(${conditions.join(", ")}): the pack reads a resource each way its conditions can go, for ` +
          `${MAX_CONDITIONS} conditions at most`,
      );
      return [];
    }
    const readings = new Map<string, TemplateResource>();
    for (const reading of readingsOf(conditions)) {
      const evaluated = evaluate(resource.Properties, reading);
      const properties = isRecord(evaluated) ? evaluated : {};
      readings.set(JSON.stringify(properties), { logicalId, type, properties });
    }
    return [...readings.values()];
  });
  return { resources, unreadable };
}
