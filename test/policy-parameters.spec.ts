import * as assert from "node:assert/strict";
import { parameterPrefixViolations } from "../policy/webhooksParameterPrefix";
import { parameterTypeViolations } from "../policy/webhooksParameterSecureString";

const THIS_PROJECT = "codebuild-webhooks";
const OTHER_PROJECT = "billing-service";

function outsideWebhooks(name: string): string[] {
  return [
    `Parameter name "${name}" is not under /webhooks/, so the notifier's grant on parameter/webhooks/* does ` +
      `not cover it. Name it "/webhooks/<receiver>/url", ".../headers" or ".../signing-secret".`,
  ];
}

describe("policy webhooks-parameter-prefix", () => {
  it("passes the receiver parameters the program creates", () => {
    assert.deepEqual(parameterPrefixViolations({ name: "/webhooks/jira-failures/url" }, THIS_PROJECT), []);
    assert.deepEqual(parameterPrefixViolations({ name: "/webhooks/slack-builds/headers" }, THIS_PROJECT), []);
  });

  it("reports a parameter of this project named elsewhere", () => {
    assert.deepEqual(
      parameterPrefixViolations({ name: "/ci/slack/url" }, THIS_PROJECT),
      outsideWebhooks("/ci/slack/url"),
    );
  });

  it("reports the look-alikes of /webhooks/ in this project", () => {
    for (const name of [
      "/webhooksx/jira/url",
      "webhooks/jira/url",
      "/Webhooks/jira/url",
      "/webhooks",
      "/webhooks/",
    ]) {
      assert.deepEqual(parameterPrefixViolations({ name }, THIS_PROJECT), outsideWebhooks(name), name);
    }
  });

  it("reports a parameter of this project left to auto-naming", () => {
    assert.deepEqual(parameterPrefixViolations({}, THIS_PROJECT), [
      `Parameter has no name, so Pulumi would name it outside /webhooks/. Set name: "/webhooks/<receiver>/url".`,
    ]);
  });

  it("reports the look-alikes of /webhooks/ in a stack of another project", () => {
    for (const name of ["/webhooksx/jira/url", "webhooks/jira/url", "/Webhooks/jira/url", "//webhook/jira"]) {
      assert.deepEqual(parameterPrefixViolations({ name }, OTHER_PROJECT), outsideWebhooks(name), name);
    }
  });

  it("leaves other projects' own parameters alone, named or auto-named", () => {
    for (const name of ["/billing/db/password", "webhooks-relay-token", "/app/webhooks/url", undefined]) {
      assert.deepEqual(parameterPrefixViolations({ name }, OTHER_PROJECT), [], name);
    }
  });
});

describe("policy webhooks-parameter-securestring", () => {
  it("passes a SecureString under /webhooks/", () => {
    assert.deepEqual(parameterTypeViolations({ name: "/webhooks/jira/url", type: "SecureString" }), []);
  });

  it("reports a String or StringList parameter under /webhooks/", () => {
    assert.deepEqual(parameterTypeViolations({ name: "/webhooks/jira/url", type: "String" }), [
      `Parameter "/webhooks/jira/url" has type "String"; set type: "SecureString".`,
    ]);
    assert.deepEqual(parameterTypeViolations({ name: "/webhooks/jira/headers", type: "StringList" }), [
      `Parameter "/webhooks/jira/headers" has type "StringList"; set type: "SecureString".`,
    ]);
  });

  it("reports a parameter under /webhooks/ without a type", () => {
    assert.deepEqual(parameterTypeViolations({ name: "/webhooks/jira/url" }), [
      `Parameter "/webhooks/jira/url" has no type; set type: "SecureString".`,
    ]);
  });

  it("leaves plain parameters outside /webhooks/ to the stacks that own them", () => {
    assert.deepEqual(parameterTypeViolations({ name: "/billing/feature-flags", type: "String" }), []);
    assert.deepEqual(parameterTypeViolations({ type: "String" }), []);
  });
});
