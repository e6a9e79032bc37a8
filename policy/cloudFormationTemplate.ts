import { Document, isAlias, isMap, isScalar, isSeq, parseDocument } from "yaml";

/** Text a template resource holds outside what its properties evaluate to, and where. */
export interface CandidateText {
  /** Where in the resource: `Metadata["AWS::CloudFormation::Init"]`, `Properties.Code["Fn::GetAtt"]`. */
  at: string;
  value: unknown;
}

/** A resource a template declares, its properties with the intrinsic functions the pack can evaluate. */
export interface TemplateResource {
  logicalId: string;
  type: string;
  properties: Record<string, unknown>;
  /**
   * What else the resource says, for the rule that fails closed on names: its other sections (`Metadata`,
   * where AWS::CloudFormation::Init keeps the commands cfn-init runs, `UpdatePolicy`...) evaluated, and
   * the evaluated arguments of each function the pack does not evaluate (whose value counts as `*`).
   */
  candidateText: CandidateText[];
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

/** A function's evaluated arguments, kept where its value could not be known. */
type Unevaluated = (text: CandidateText) => void;

function childAt(at: string, key: string | number): string {
  if (typeof key === "number") return `${at}[${key}]`;
  return /^[A-Za-z_][\w]*$/.test(key) ? `${at}.${key}` : `${at}[${JSON.stringify(key)}]`;
}

/**
 * Evaluates the intrinsic functions whose result the pack can know: `Ref` and `Fn::Sub` of template
 * parameters and pseudo parameters, `Fn::Join`, `Fn::FindInMap` of the template's Mappings, `Fn::Select`
 * of a list, `Fn::Split` of a text, `Fn::Base64` (the text it encodes, which is what the resource gets
 * back), and `Fn::If` the way the reading says its condition goes (`Ref: AWS::NoValue` leaves the
 * property or list item out). Any other function (`Fn::GetAtt`, `Fn::ImportValue`, `Fn::Cidr`...), one
 * whose arguments are not known enough, and a reference to a resource evaluate to `*`: a value that
 * can be anything. The arguments of such a function are not thrown away: evaluated as far as they go,
 * they are handed to `unevaluated` with where the function stands, so the names in them are judged.
 */
function evaluator(
  template: Record<string, unknown>,
  inputs: TemplateInputs,
): (value: unknown, reading: Reading, at: string, unevaluated: Unevaluated) => unknown {
  const declared = isRecord(template.Parameters) ? template.Parameters : {};
  const mappings = isRecord(template.Mappings) ? template.Mappings : {};
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
  const evaluate = (value: unknown, reading: Reading, at: string, unevaluated: Unevaluated): unknown => {
    if (Array.isArray(value)) {
      return value
        .map((item, index) => evaluate(item, reading, childAt(at, index), unevaluated))
        .filter((item) => item !== NO_VALUE);
    }
    if (!isRecord(value)) return value;
    const keys = Object.keys(value);
    if (keys.length === 1 && (keys[0] === "Ref" || keys[0].startsWith("Fn::"))) {
      const name = keys[0];
      const functionAt = childAt(at, name);
      const argument = value[name];
      /** The arguments, evaluated: what a function the pack cannot finish leaves to be judged as text. */
      const evaluatedArgument = () => evaluate(argument, reading, functionAt, unevaluated);
      const anyValue = (kept: unknown = evaluatedArgument()) => {
        unevaluated({ at: functionAt, value: kept });
        return "*";
      };
      switch (name) {
        case "Ref":
          return reference(String(argument));
        case "Fn::If": {
          const [condition, whenTrue, whenFalse] = Array.isArray(argument) ? argument : [];
          return evaluate(reading.get(String(condition)) ? whenTrue : whenFalse, reading, at, unevaluated);
        }
        case "Fn::Sub": {
          const [pattern, variables] = Array.isArray(argument) ? argument : [argument, {}];
          if (typeof pattern !== "string") return anyValue();
          const given = isRecord(variables) ? variables : {};
          return pattern.replace(/\$\{([^}]*)\}/g, (_, variable: string) => {
            if (variable.startsWith("!")) return `\${${variable.slice(1)}}`;
            return text(
              variable in given
                ? evaluate(given[variable], reading, childAt(functionAt, variable), unevaluated)
                : reference(variable),
            );
          });
        }
        case "Fn::Join": {
          const [delimiter, parts] = Array.isArray(argument) ? argument : [];
          const evaluatedParts = evaluate(parts, reading, childAt(functionAt, 1), unevaluated);
          if (typeof delimiter !== "string" || !Array.isArray(evaluatedParts))
            return anyValue(evaluatedParts);
          return evaluatedParts.map(text).join(delimiter);
        }
        case "Fn::Base64": {
          const encoded = evaluatedArgument();
          return typeof encoded === "string" ? encoded : anyValue(encoded);
        }
        case "Fn::FindInMap": {
          const keys = evaluatedArgument();
          const [mapName, topKey, secondKey] = Array.isArray(keys) ? keys : [];
          const map = typeof mapName === "string" && mapName !== "*" ? mappings[mapName] : undefined;
          const top = isRecord(map) && typeof topKey === "string" ? map[topKey] : undefined;
          const found = isRecord(top) && typeof secondKey === "string" ? top[secondKey] : undefined;
          // A key not known (or a map not there): every value the map, or all Mappings, could give.
          return found ?? anyValue(map ?? mappings);
        }
        case "Fn::Select": {
          const [index, list] = Array.isArray(argument) ? argument : [];
          const evaluatedIndex = evaluate(index, reading, childAt(functionAt, 0), unevaluated);
          const items = evaluate(list, reading, childAt(functionAt, 1), unevaluated);
          const position = Number(evaluatedIndex);
          const picked = Array.isArray(items) && Number.isInteger(position) ? items[position] : undefined;
          return picked ?? anyValue(items);
        }
        case "Fn::Split": {
          const [delimiter, source] = Array.isArray(argument) ? argument : [];
          const evaluatedSource = evaluate(source, reading, childAt(functionAt, 1), unevaluated);
          // A text holding what the pack could not evaluate may hold the delimiter too.
          if (
            typeof delimiter !== "string" ||
            typeof evaluatedSource !== "string" ||
            evaluatedSource.includes("*")
          )
            return anyValue(evaluatedSource);
          return evaluatedSource.split(delimiter);
        }
        default:
          return anyValue();
      }
    }
    return Object.fromEntries(
      keys
        .map((key) => [key, evaluate(value[key], reading, childAt(at, key), unevaluated)])
        .filter(([, item]) => item !== NO_VALUE),
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
 * every one of them whatever its `Condition`, once for each way the conditions of its `Fn::If` (in any
 * of its sections) can go
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
    const conditions = [...conditionsIn(resource)];
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
      const candidateText: CandidateText[] = [];
      const keep = (found: CandidateText) => candidateText.push(found);
      const evaluated = evaluate(resource.Properties, reading, "Properties", keep);
      const properties = isRecord(evaluated) ? evaluated : {};
      // Every other section, whatever CloudFormation or a helper script (cfn-init) does with it.
      for (const [section, value] of Object.entries(resource)) {
        if (section === "Type" || section === "Properties") continue;
        candidateText.push({ at: section, value: evaluate(value, reading, section, keep) });
      }
      const resourceReading = { logicalId, type, properties, candidateText };
      readings.set(JSON.stringify([properties, candidateText]), resourceReading);
    }
    return [...readings.values()];
  });
  return { resources, unreadable };
}
