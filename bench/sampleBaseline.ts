// Baseline: the AWS sample's algorithm (aws-samples/aws-codebuild-webhooks, lambdas/index.py), sequential
// and uncached, as a Node.js Lambda handler the bench runs exactly as it runs the notifier. Per event: one
// registry Query (first page only), then receiver after receiver: GetParameter for the URL, GetParameter
// for the headers, render, POST on a new connection (as `requests.post` does), expect 200. The clients
// are created at module load, as the sample creates its boto3 clients. Its code stays self-contained:
// the bench transpiles this one file into the function's archive.
import { DynamoDBClient, QueryCommand, type AttributeValue } from "@aws-sdk/client-dynamodb";
import { GetParameterCommand, SSMClient } from "@aws-sdk/client-ssm";
import { request as httpRequest } from "node:http";
import { request as httpsRequest } from "node:https";

interface BuildEvent {
  detail: {
    "project-name": string;
    "build-status": string;
    "additional-information"?: {
      environment?: { "environment-variables"?: { name: string; value: string }[] };
    };
  };
}

const DEFAULT_TEMPLATE = '{"text": "Build of *$PROJECT* reached status *$STATUS*"}';

const dynamodb = new DynamoDBClient({});
const ssm = new SSMClient({});

async function readParameter(name: string): Promise<string> {
  const output = await ssm.send(new GetParameterCommand({ Name: name, WithDecryption: true }));
  return output.Parameter?.Value ?? "";
}

/** Python's `string.Template.substitute`: `$NAME` and `${NAME}`, `$$` for a dollar sign. */
function compileTemplate(template: string, values: Record<string, string>): string {
  return template.replace(/\$(?:(\$)|([A-Za-z_]\w*)|\{([A-Za-z_]\w*)\})/g, (_, dollar, bare, braced) => {
    if (dollar) return "$";
    const name = (bare ?? braced) as string;
    if (!(name in values)) throw new Error(`KeyError: ${name}`);
    return values[name];
  });
}

function post(url: string, body: string, headers: Record<string, string>): Promise<number> {
  const send = url.startsWith("https:") ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const outgoing = send(url, { method: "POST", headers, agent: false }, (response) => {
      response.resume();
      response.on("end", () => resolve(response.statusCode ?? 0));
    });
    outgoing.on("error", reject);
    outgoing.end(body);
  });
}

function statusesOf(item: Record<string, AttributeValue>): string[] {
  return item.statuses?.SS ?? item.statuses?.L?.map((status) => status.S ?? "") ?? [];
}

export async function handler(event: BuildEvent): Promise<{ delivered: number; failed: number }> {
  const project = event.detail["project-name"];
  const status = event.detail["build-status"];
  const environment = event.detail["additional-information"]?.environment?.["environment-variables"] ?? [];
  const values: Record<string, string> = { PROJECT: project, STATUS: status };
  for (const variable of environment) values[variable.name] = variable.value;

  const page = await dynamodb.send(
    new QueryCommand({
      TableName: process.env.TABLE_NAME,
      KeyConditionExpression: "#project = :project",
      ExpressionAttributeNames: { "#project": "project" },
      ExpressionAttributeValues: { ":project": { S: project } },
    }),
  );
  let delivered = 0;
  let failed = 0;
  for (const item of page.Items ?? []) {
    try {
      const message = compileTemplate(item.template?.S ?? DEFAULT_TEMPLATE, values);
      if (!statusesOf(item).includes(status)) continue;
      const url = await readParameter(item.hook_url_param_name?.S ?? "");
      const headersParameter = item.hook_headers_param_name?.S;
      const extraHeaders = headersParameter
        ? (JSON.parse(await readParameter(headersParameter)) as Record<string, string>)
        : {};
      const statusCode = await post(url, message, { "Content-Type": "application/json", ...extraHeaders });
      if (statusCode !== 200) throw new Error(`Webhook returned an error ${statusCode}`);
      delivered++;
    } catch (error) {
      // The sample logs a receiver's failure and goes on with the next one.
      console.error(`Receiver ${item.hook_url_param_name?.S} failed: ${(error as Error).message}`);
      failed++;
    }
  }
  return { delivered, failed };
}
