import {
  DeleteParameterCommand,
  GetParameterCommand,
  GetParametersCommand,
  PutParameterCommand,
  SSMClient,
} from "@aws-sdk/client-ssm";
import { strict as assert } from "node:assert";
import { loopbackClient } from "../local/loopbackClient";
import { startParameterStore, type ParameterStore } from "../local/parameterStore";

describe("local parameter store", () => {
  let store: ParameterStore;
  let ssm: SSMClient;

  beforeEach(async () => {
    store = await startParameterStore();
    ssm = new SSMClient(loopbackClient(store.endpoint));
  });

  afterEach(async () => {
    ssm.destroy();
    await store.close();
  });

  it("answers GetParameters with the parameters found and the names it does not know", async () => {
    store.put("/webhooks/jira/url", "https://jira.example/hook");
    store.put("/webhooks/jira/headers", '{"Authorization":"Bearer s3cret"}', "SecureString");

    const output = await ssm.send(
      new GetParametersCommand({
        Names: ["/webhooks/jira/url", "/webhooks/jira/headers", "/webhooks/gone/url"],
        WithDecryption: true,
      }),
    );

    assert.deepEqual(
      output.Parameters?.map((parameter) => [
        parameter.Name,
        parameter.Type,
        parameter.Value,
        parameter.Version,
      ]),
      [
        ["/webhooks/jira/url", "String", "https://jira.example/hook", 1],
        ["/webhooks/jira/headers", "SecureString", '{"Authorization":"Bearer s3cret"}', 1],
      ],
    );
    assert.deepEqual(output.InvalidParameters, ["/webhooks/gone/url"]);
    const [url] = output.Parameters ?? [];
    assert.equal(url.ARN, "arn:aws:ssm:us-east-1:123456789012:parameter/webhooks/jira/url");
    assert.equal(url.DataType, "text");
    assert.ok(url.LastModifiedDate instanceof Date && !Number.isNaN(url.LastModifiedDate.getTime()));
  });

  it("keeps SecureString values hidden unless decryption is asked for", async () => {
    store.put("/webhooks/slack/url", "https://hooks.slack.example/T000/B000/XXXX", "SecureString");

    const { Parameter } = await ssm.send(new GetParameterCommand({ Name: "/webhooks/slack/url" }));

    assert.equal(Parameter?.Type, "SecureString");
    assert.notEqual(Parameter?.Value, "https://hooks.slack.example/T000/B000/XXXX");
    assert.ok(!Parameter?.Value?.includes("hooks.slack.example"));
    assert.match(Parameter?.Value ?? "", /^[A-Za-z0-9+/=]+$/);
  });

  it("records each call's operation, names and decryption flag", async () => {
    store.put("/webhooks/a/url", "https://a.example");
    await ssm.send(
      new GetParametersCommand({ Names: ["/webhooks/a/url", "/webhooks/b/url"], WithDecryption: true }),
    );
    await ssm.send(new GetParameterCommand({ Name: "/webhooks/a/url" }));

    assert.deepEqual(store.calls, [
      {
        target: "AmazonSSM.GetParameters",
        names: ["/webhooks/a/url", "/webhooks/b/url"],
        withDecryption: true,
      },
      { target: "AmazonSSM.GetParameter", names: ["/webhooks/a/url"], withDecryption: false },
    ]);

    store.resetCalls();
    assert.deepEqual(store.calls, []);
  });

  it("measures how long reads held the caller, from the first read's arrival to the last answer", async () => {
    store.put("/webhooks/a/url", "https://a.example");
    store.resetCalls();
    assert.equal(store.readWindowMs(), 0);
    await ssm.send(new GetParametersCommand({ Names: ["/webhooks/a/url"] }));
    await ssm.send(new GetParameterCommand({ Name: "/webhooks/a/url" }));
    assert.ok(store.readWindowMs() > 0, `window: ${store.readWindowMs()} ms`);

    store.resetCalls();
    assert.equal(store.readWindowMs(), 0);
  });

  it("rejects a GetParameters call for more than 10 names, as the service does", async () => {
    const names = Array.from({ length: 11 }, (_, index) => `/webhooks/r${index}/url`);

    await assert.rejects(
      ssm.send(new GetParametersCommand({ Names: names, WithDecryption: true })),
      (error: Error) => {
        assert.equal(error.name, "ValidationException");
        assert.match(
          error.message,
          /at 'names' failed to satisfy constraint: Member must have length less than or equal to 10$/,
        );
        return true;
      },
    );
  });

  it("surfaces a missing parameter as ParameterNotFound, also once deleted", async () => {
    store.put("/webhooks/old/url", "https://old.example");
    store.delete("/webhooks/old/url");

    await assert.rejects(
      ssm.send(new GetParameterCommand({ Name: "/webhooks/old/url", WithDecryption: true })),
      (error: Error & { $metadata: { httpStatusCode?: number } }) => {
        assert.equal(error.name, "ParameterNotFound");
        assert.equal(error.message, "Parameter /webhooks/old/url not found.");
        assert.equal(error.$metadata.httpStatusCode, 400);
        return true;
      },
    );
  });

  it("stores PutParameter values, refusing to overwrite unless told to", async () => {
    const created = await ssm.send(
      new PutParameterCommand({
        Name: "/webhooks/ci/url",
        Value: "https://one.example",
        Type: "SecureString",
      }),
    );
    await assert.rejects(
      ssm.send(
        new PutParameterCommand({
          Name: "/webhooks/ci/url",
          Value: "https://two.example",
          Type: "SecureString",
        }),
      ),
      { name: "ParameterAlreadyExists" },
    );
    const overwritten = await ssm.send(
      new PutParameterCommand({
        Name: "/webhooks/ci/url",
        Value: "https://two.example",
        Type: "SecureString",
        Overwrite: true,
      }),
    );
    const { Parameter } = await ssm.send(
      new GetParameterCommand({ Name: "/webhooks/ci/url", WithDecryption: true }),
    );

    assert.deepEqual([created.Version, overwritten.Version], [1, 2]);
    assert.deepEqual([Parameter?.Value, Parameter?.Version], ["https://two.example", 2]);
  });

  it("answers operations it does not implement with UnknownOperationException", async () => {
    await assert.rejects(ssm.send(new DeleteParameterCommand({ Name: "/webhooks/ci/url" })), {
      name: "UnknownOperationException",
    });
  });

  it("is found through AWS_ENDPOINT_URL_SSM by a client that names no endpoint of its own", async () => {
    store.put("/webhooks/env/url", "https://env.example");
    const saved = process.env.AWS_ENDPOINT_URL_SSM;
    process.env.AWS_ENDPOINT_URL_SSM = store.endpoint;
    const { region, credentials, useFipsEndpoint, useDualstackEndpoint } = loopbackClient("");
    const client = new SSMClient({ region, credentials, useFipsEndpoint, useDualstackEndpoint });
    try {
      const { Parameter } = await client.send(new GetParameterCommand({ Name: "/webhooks/env/url" }));
      assert.equal(Parameter?.Value, "https://env.example");
    } finally {
      client.destroy();
      if (saved === undefined) delete process.env.AWS_ENDPOINT_URL_SSM;
      else process.env.AWS_ENDPOINT_URL_SSM = saved;
    }
  });
});
