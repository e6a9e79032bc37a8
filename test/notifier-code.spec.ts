import * as assert from "node:assert/strict";
import * as pulumi from "@pulumi/pulumi";
import { notifierCode } from "../stack/notifierCode";

describe("the notifier's code archive", () => {
  it("refuses a callback that captures a secret: the archive is not encrypted", async () => {
    const clientSecret = pulumi.secret("captured-client-secret");
    const archive = notifierCode(() => {
      return async () => clientSecret.get();
    });
    await assert.rejects(archive.assets, /Secret outputs cannot be captured by a closure/);
  });
});
