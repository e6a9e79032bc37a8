import { randomBytes, randomUUID } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { performance } from "node:perf_hooks";
import { closeServer, listenOnLoopback } from "./loopbackServer";

export type ParameterType = "String" | "SecureString" | "StringList";

/** One request the store answered, as the notifier's parameter reads can be checked against it. */
export interface ParameterStoreCall {
  /** The `X-Amz-Target` header, e.g. `AmazonSSM.GetParameters`. */
  target: string;
  names: string[];
  withDecryption: boolean;
}

/**
 * A Parameter Store on the loopback interface speaking the SSM JSON 1.1 protocol, so the real SSM client
 * (and the notifier's handler) can read the receivers' parameters without AWS.
 */
export interface ParameterStore {
  /** `http://127.0.0.1:PORT`, for the client's `endpoint` or `AWS_ENDPOINT_URL_SSM`. */
  endpoint: string;
  /** Creates the parameter or overwrites it with a new version. */
  put(name: string, value: string, type?: ParameterType): void;
  delete(name: string): void;
  /**
   * Refuses reads of the names `isDenied` picks, as IAM refuses a caller without a grant for them: the
   * whole GetParameters call fails with AccessDeniedException. Undefined lets every read through again.
   */
  denyReads(isDenied: ((name: string) => boolean) | undefined): void;
  /**
   * Answers reads (GetParameters, GetParameter) past `callsPerSecond` in any one second with
   * ThrottlingException, as the service does past an account's quota (GetParameters: 40 per second by
   * default). Throttled calls do not count toward the rate. Undefined lets every read through again.
   */
  throttleReadsAbove(callsPerSecond: number | undefined): void;
  /** Reads answered with ThrottlingException so far. */
  throttledReads(): number;
  calls: ParameterStoreCall[];
  /**
   * Since the last resetCalls: from the first read's arrival to the last read's answer, in ms (0 without
   * a read). How long a cold container's parameter reads held up its first event, seen from the store.
   */
  readWindowMs(): number;
  resetCalls(): void;
  close(): Promise<void>;
}

interface StoredParameter {
  name: string;
  type: ParameterType;
  value: string;
  /** What the service returns for a SecureString read without decryption. */
  ciphertext: string;
  version: number;
  lastModifiedDate: number;
}

const PARAMETER_TYPES: readonly string[] = ["String", "SecureString", "StringList"];
const ARN_PREFIX = "arn:aws:ssm:us-east-1:123456789012:parameter";
/** GetParameters accepts at most this many names per call. */
const MAX_NAMES_PER_READ = 10;

/** An error answered as the service does: 400 with the error code in `__type`. */
class ServiceError extends Error {
  constructor(
    readonly type: string,
    message: string,
  ) {
    super(message);
  }
}

class Parameters {
  private readonly byName = new Map<string, StoredParameter>();

  put(name: string, value: string, type: ParameterType, overwrite: boolean): number {
    const existing = this.byName.get(name);
    if (existing && !overwrite) {
      throw new ServiceError(
        "ParameterAlreadyExists",
        "The parameter already exists. To overwrite this request value, set the overwrite option in the request to true.",
      );
    }
    const version = (existing?.version ?? 0) + 1;
    this.byName.set(name, {
      name,
      type,
      value,
      ciphertext: encryptedLooking(value),
      version,
      lastModifiedDate: Date.now() / 1000,
    });
    return version;
  }

  delete(name: string): void {
    this.byName.delete(name);
  }

  read(name: string, withDecryption: boolean): object | undefined {
    const parameter = this.byName.get(name);
    if (!parameter) return undefined;
    return {
      Name: parameter.name,
      Type: parameter.type,
      Value: parameter.type === "SecureString" && !withDecryption ? parameter.ciphertext : parameter.value,
      Version: parameter.version,
      ARN: `${ARN_PREFIX}${parameter.name.startsWith("/") ? "" : "/"}${parameter.name}`,
      DataType: "text",
      LastModifiedDate: parameter.lastModifiedDate,
    };
  }
}

/** A KMS-ciphertext-like blob: a SecureString read without decryption must not reveal the value. */
function encryptedLooking(value: string): string {
  return `AQICAH${randomBytes(48 + Buffer.byteLength(value)).toString("base64")}`;
}

type RequestInput = Record<string, unknown>;

function requireString(input: RequestInput, member: string): string {
  const value = input[member];
  if (typeof value !== "string") {
    throw new ServiceError(
      "ValidationException",
      `1 validation error detected: Value null at '${lowerFirst(member)}' failed to satisfy constraint: Member must not be null`,
    );
  }
  return value;
}

function lowerFirst(member: string): string {
  return member.charAt(0).toLowerCase() + member.slice(1);
}

function requestedNames(target: string, input: RequestInput): string[] {
  if (target === "AmazonSSM.GetParameters") {
    return Array.isArray(input.Names)
      ? input.Names.filter((name): name is string => typeof name === "string")
      : [];
  }
  return typeof input.Name === "string" ? [input.Name] : [];
}

/** IAM authorizes a read against every parameter it names: one denied name refuses the whole call. */
function authorize(target: string, names: string[], isDenied: (name: string) => boolean): void {
  const denied = names.find(isDenied);
  if (denied === undefined) return;
  const action = target.replace("AmazonSSM.", "ssm:");
  throw new ServiceError(
    "AccessDeniedException",
    `User: arn:aws:sts::123456789012:assumed-role/notifier/codebuild-webhooks-notifier is not authorized ` +
      `to perform: ${action} on resource: ${ARN_PREFIX}${denied} because no identity-based policy allows ` +
      `the ${action} action`,
  );
}

const operations: Record<string, (parameters: Parameters, input: RequestInput) => object> = {
  "AmazonSSM.GetParameters": (parameters, input) => {
    const names = requestedNames("AmazonSSM.GetParameters", input);
    if (names.length === 0) {
      throw new ServiceError(
        "ValidationException",
        "1 validation error detected: Value '[]' at 'names' failed to satisfy constraint: Member must have length greater than or equal to 1",
      );
    }
    if (names.length > MAX_NAMES_PER_READ) {
      throw new ServiceError(
        "ValidationException",
        `1 validation error detected: Value '[${names.join(", ")}]' at 'names' failed to satisfy constraint: ` +
          `Member must have length less than or equal to ${MAX_NAMES_PER_READ}`,
      );
    }
    const found: object[] = [];
    const invalid: string[] = [];
    for (const name of new Set(names)) {
      const parameter = parameters.read(name, input.WithDecryption === true);
      if (parameter) found.push(parameter);
      else invalid.push(name);
    }
    return { Parameters: found, InvalidParameters: invalid };
  },
  "AmazonSSM.GetParameter": (parameters, input) => {
    const name = requireString(input, "Name");
    const parameter = parameters.read(name, input.WithDecryption === true);
    if (!parameter) throw new ServiceError("ParameterNotFound", `Parameter ${name} not found.`);
    return { Parameter: parameter };
  },
  "AmazonSSM.PutParameter": (parameters, input) => {
    const name = requireString(input, "Name");
    const value = requireString(input, "Value");
    const type = input.Type ?? "String";
    if (typeof type !== "string" || !PARAMETER_TYPES.includes(type)) {
      throw new ServiceError(
        "ValidationException",
        `1 validation error detected: Value '${String(type)}' at 'type' failed to satisfy constraint: ` +
          `Member must satisfy enum value set: [${PARAMETER_TYPES.join(", ")}]`,
      );
    }
    const version = parameters.put(name, value, type as ParameterType, input.Overwrite === true);
    return { Version: version, Tier: "Standard" };
  },
};

function readBody(request: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    request.on("data", (chunk: Buffer) => chunks.push(chunk));
    request.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    request.on("error", reject);
  });
}

function parseInput(body: string): RequestInput {
  try {
    const input: unknown = JSON.parse(body === "" ? "{}" : body);
    if (input !== null && typeof input === "object" && !Array.isArray(input)) return input as RequestInput;
  } catch {
    // Answered below, as the service answers a body it cannot read.
  }
  throw new ServiceError("SerializationException", "The request body is not a JSON object.");
}

function send(response: ServerResponse, status: number, body: object): void {
  response.writeHead(status, {
    "Content-Type": "application/x-amz-json-1.1",
    "x-amzn-RequestId": randomUUID(),
  });
  response.end(JSON.stringify(body));
}

export async function startParameterStore(): Promise<ParameterStore> {
  const parameters = new Parameters();
  const calls: ParameterStoreCall[] = [];
  let isDenied: (name: string) => boolean = () => false;
  let readsPerSecond: number | undefined;
  /** When the reads of the last second were answered, oldest first. */
  const recentReads: number[] = [];
  let throttled = 0;
  let readWindow: { from: number; to: number } | undefined;
  /** Counts a read toward the rate, or refuses it when the last second had its quota already. */
  const admitRead = (): void => {
    if (readsPerSecond === undefined) return;
    const now = performance.now();
    while (recentReads.length > 0 && recentReads[0] <= now - 1000) recentReads.shift();
    if (recentReads.length >= readsPerSecond) {
      throttled += 1;
      throw new ServiceError("ThrottlingException", "Rate exceeded");
    }
    recentReads.push(now);
  };

  const server = createServer(async (request, response) => {
    const target = String(request.headers["x-amz-target"] ?? "");
    if (target.startsWith("AmazonSSM.Get")) {
      const arrived = performance.now();
      readWindow = { from: Math.min(readWindow?.from ?? arrived, arrived), to: arrived };
      response.on("finish", () => {
        if (readWindow) readWindow.to = Math.max(readWindow.to, performance.now());
      });
    }
    try {
      const input = parseInput(await readBody(request));
      calls.push({
        target,
        names: requestedNames(target, input),
        withDecryption: input.WithDecryption === true,
      });
      const operation = operations[target];
      if (target.startsWith("AmazonSSM.Get")) {
        admitRead();
        authorize(target, requestedNames(target, input), isDenied);
      }
      if (!operation) {
        throw new ServiceError(
          "UnknownOperationException",
          `Operation ${target || "(none)"} is not supported.`,
        );
      }
      send(response, 200, operation(parameters, input));
    } catch (error) {
      if (error instanceof ServiceError) send(response, 400, { __type: error.type, message: error.message });
      else send(response, 500, { __type: "InternalServerError", message: String(error) });
    }
  });

  const endpoint = await listenOnLoopback(server);

  return {
    endpoint,
    put(name, value, type = "String") {
      parameters.put(name, value, type, true);
    },
    delete(name) {
      parameters.delete(name);
    },
    denyReads(denied) {
      isDenied = denied ?? (() => false);
    },
    throttleReadsAbove(callsPerSecond) {
      readsPerSecond = callsPerSecond;
      recentReads.length = 0;
    },
    throttledReads: () => throttled,
    calls,
    readWindowMs: () => (readWindow ? readWindow.to - readWindow.from : 0),
    resetCalls() {
      calls.length = 0;
      readWindow = undefined;
    },
    close: () => closeServer(server),
  };
}
