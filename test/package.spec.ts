import * as assert from "node:assert/strict";
import AdmZip from "adm-zip";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { startLambda } from "../local/lambdaProcess";
import { buildEvent } from "./support/buildEvents";
import { deployNotifier, type DeployedNotifier } from "./support/deployedNotifier";
import { runNpm } from "./support/npmCommand";
import { projectClone } from "./support/projectClone";
import { startReceiver, type Receiver } from "./support/receivers";
import { RECEIVER_SECRET_KEYS, RECEIVER_SECRETS } from "./support/specStack";

// dist/lambda.zip, as `npm run package` writes it, unpacked and run as the Lambda runtime runs it.
describe("npm run package", () => {
  let stack: DeployedNotifier;
  let receiver: Receiver;
  let codeDir: string;

  before(async () => {
    stack = await deployNotifier(RECEIVER_SECRETS, RECEIVER_SECRET_KEYS);
    receiver = await startReceiver([{ status: 201 }]);
    codeDir = fs.mkdtempSync(path.join(os.tmpdir(), "lambda-zip-"));
  });

  after(async () => {
    await receiver?.close();
    await stack?.close();
    fs.rmSync(codeDir, { recursive: true, force: true });
  });

  it("writes dist/lambda.zip: the handler and its run-time packages, without the AWS SDK", async () => {
    const run = await runNpm(["run", "package"]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, /^dist\/lambda\.zip: \d+ bytes, \d+ packages$/m);
    new AdmZip(path.join(projectClone(), "dist", "lambda.zip")).extractAllTo(codeDir);
    assert.ok(fs.existsSync(path.join(codeDir, "__index.js")));
    const modules = fs.readdirSync(path.join(codeDir, "node_modules"));
    assert.ok(modules.includes("got"));
    assert.ok(!modules.includes("@aws-sdk") && !modules.includes("@pulumi"));
  });

  it("delivers a build notice when run from the zip", async () => {
    stack.parameterStore.put("/webhooks/from-zip/url", receiver.url, "SecureString");
    await stack.registerByHand({
      project: { S: "zip-app" },
      hook_url_param_name: { S: "/webhooks/from-zip/url" },
      statuses: { L: [{ S: "FAILED" }] },
    });
    const fromZip = await startLambda({
      codeDir,
      env: stack.environment,
      memoryMb: stack.deployment.notifierSettings.memoryMb,
    });
    try {
      const invocation = await fromZip.invoke(buildEvent("FAILED", "zip-app"));
      assert.equal(invocation.ok, true, JSON.stringify(invocation.error));
      assert.equal(receiver.requests.length, 1);
      assert.equal(JSON.parse(receiver.requests[0].body).text, "Build of *zip-app* reached status *FAILED*");
    } finally {
      await fromZip.close();
    }
  });
});
