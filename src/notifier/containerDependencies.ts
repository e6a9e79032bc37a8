/* eslint-disable @typescript-eslint/no-require-imports -- see the comment below */
import type { Logger } from "@aws-lambda-powertools/logger";
import type { Agents, Got } from "got";
import type { RegistryTable } from "./createNotifier";
import { MAX_CONCURRENT_DELIVERIES, type DeliveryLimit } from "./deliverRequests";
import {
  createDeliveryMetrics,
  DEFAULT_METRICS_NAMESPACE,
  METRICS_NAMESPACE_VARIABLE,
} from "./deliveryMetrics";
import type { GetParameters } from "./parameterCache";
import type { NotifierResult } from "./receiverOutcome";

// What a Lambda container of the notifier keeps for its life, each made by the notifier's callback factory
// once per container. Modules are required in these functions, which run in the container, rather than
// imported at the top of the file: the serializer would capture an import's namespace object by value and
// fail. Those only events with receivers to notify need are loaded when the first such event comes, not
// at cold start.

/** A value made when it is first needed, then kept. */
function whenNeeded<T>(load: () => T): () => T {
  let loaded: T | undefined;
  return () => (loaded ??= load());
}

/** The notifier's structured logger (JSON lines, with the request id once given the context). */
export function notifierLogger(): Logger {
  const { Logger } =
    require("@aws-lambda-powertools/logger") as typeof import("@aws-lambda-powertools/logger");
  return new Logger({ serviceName: "codebuild-webhooks" });
}

/** The registry table, on a DynamoDB client of the SDK's default configuration. */
export function registryTableClient(): RegistryTable {
  const dynamodb = require("@aws-sdk/client-dynamodb") as typeof import("@aws-sdk/client-dynamodb");
  const client = new dynamodb.DynamoDBClient({});
  return {
    query: (input, options) => client.send(new dynamodb.QueryCommand(input), options),
    getItem: (input, options) => client.send(new dynamodb.GetItemCommand(input), options),
    putItem: (input) => client.send(new dynamodb.PutItemCommand(input)),
    updateItem: (input, options) => client.send(new dynamodb.UpdateItemCommand(input), options),
  };
}

/** GetParameters calls, on an SSM client made with the first one. */
export function parameterStoreReads(): GetParameters {
  const getParameters = whenNeeded((): GetParameters => {
    const ssm = require("@aws-sdk/client-ssm") as typeof import("@aws-sdk/client-ssm");
    // One attempt per call: the parameter cache paces its calls within the account's GetParameters
    // quota and makes a throttled one again until the invocation's deadline; the SDK's retries
    // would add calls the pace does not count, and stop after a number of attempts, not in time.
    const client = new ssm.SSMClient({ maxAttempts: 1 });
    return (input, options) => client.send(new ssm.GetParametersCommand(input), options);
  });
  return (input, options) => getParameters()(input, options);
}

/** The HTTP client, loaded when the first notice is sent. */
export function httpClient(): () => Got {
  return whenNeeded(() => (require("got") as typeof import("got")).default);
}

/** Agents that keep connections to receivers open across invocations of a warm container. */
export function keepAliveAgents(): Agents {
  const http = require("node:http") as typeof import("node:http");
  const https = require("node:https") as typeof import("node:https");
  return { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) };
}

/** The container's delivery slots: MAX_CONCURRENT_DELIVERIES, shared by all its invocations. */
export function deliverySlots(): DeliveryLimit {
  const limit = whenNeeded(() =>
    (require("p-limit") as typeof import("p-limit")).default(MAX_CONCURRENT_DELIVERIES),
  );
  return (task) => limit()(task);
}

/**
 * Delivery metrics per receiver, in the namespace POWERTOOLS_METRICS_NAMESPACE names; the module is
 * loaded when the first event with receivers is reported.
 */
export function deliveryMetricsReport(
  logger: Logger,
  parameterPath: string,
): (result: NotifierResult) => void {
  return createDeliveryMetrics({
    parameterPath,
    // Named outright: without a namespace, Powertools warns at every flush.
    createWriter: () =>
      new (
        require("@aws-lambda-powertools/metrics") as typeof import("@aws-lambda-powertools/metrics")
      ).Metrics({
        logger,
        namespace: process.env[METRICS_NAMESPACE_VARIABLE] ?? DEFAULT_METRICS_NAMESPACE,
      }),
    log: logger,
  });
}
