import * as assert from "node:assert/strict";
import fc from "fast-check";
import { actionPatternMatches, patternReachesArns } from "../policy/iamPattern";
import {
  reachesParametersOutside,
  reachesParametersUnder,
  staysUnder,
  withVariablesAsWildcards,
} from "../policy/parameterArns";

/** Every string over "a" and ":" up to the given length. */
function stringsUpTo(length: number): string[] {
  const all = [""];
  for (let size = 1; size <= length; size++) {
    for (const shorter of all.filter((value) => value.length === size - 1))
      all.push(`${shorter}a`, `${shorter}:`);
  }
  return all;
}

/** Matching as IAM documents it, written independently of the pack's implementation. */
function grantedPatternMatches(pattern: string, value: string): boolean {
  return new RegExp(`^${pattern.replace(/\*/g, ".*").replace(/\?/g, ".")}$`).test(value);
}

function arnTemplateMatches(template: string, value: string): boolean {
  return new RegExp(`^${template.replace(/\*/g, "[^:]*")}$`).test(value);
}

const grantedPattern = fc.string({ unit: fc.constantFrom("a", ":", "*", "?"), maxLength: 5 });
const arnTemplate = fc.string({ unit: fc.constantFrom("a", ":", "*"), maxLength: 5 });
// A shortest common string needs one character per non-star character of the two patterns, and a
// non-colon for every `?`: strings over "a" and ":" that long decide the question.
const candidates = stringsUpTo(10);

describe("IAM wildcard patterns (policy pack)", () => {
  it("a granted pattern reaches a template's family exactly when some ARN matches both", () => {
    fc.assert(
      fc.property(grantedPattern, arnTemplate, (pattern, template) => {
        const exists = candidates.some(
          (candidate) => grantedPatternMatches(pattern, candidate) && arnTemplateMatches(template, candidate),
        );
        assert.equal(patternReachesArns(pattern, template), exists, `${pattern} / ${template}`);
      }),
    );
  });

  it("match actions case-insensitively, with * and ? as IAM reads them", () => {
    assert.equal(actionPatternMatches("ssm:Get*", "ssm:GetParametersByPath"), true);
    assert.equal(actionPatternMatches("SSM:GETPARAMETER", "ssm:GetParameter"), true);
    assert.equal(actionPatternMatches("ssm:GetParameter?", "ssm:GetParameter"), false);
    assert.equal(actionPatternMatches("ssm:Get.arameter", "ssm:GetParameter"), false);
  });

  it("compare ARNs case-sensitively, and keep the template's wildcards inside one field", () => {
    const webhooks = "arn:*:ssm:*:*:parameter/webhooks/*";
    assert.equal(patternReachesArns("arn:aws:ssm:*:*:parameter/Webhooks/*", webhooks), false);
    assert.equal(patternReachesArns("arn:aws:ssm:us-east-1:1:parameter/web*", webhooks), true);
    assert.equal(patternReachesArns("arn:aws:ssm:us-east-1:1:parameter/billing/*", webhooks), false);
  });
});

describe("parameter ARNs in grants (policy pack)", () => {
  it("read IAM policy variables as wildcards that may hold slashes and colons", () => {
    assert.equal(
      withVariablesAsWildcards("parameter/${aws:username}/${aws:PrincipalTag/team, 'x'}"),
      "parameter/*/*",
    );
    assert.equal(reachesParametersUnder("arn:aws:ssm:*:*:parameter/${aws:username}", "/webhooks/"), true);
    assert.equal(
      reachesParametersUnder("arn:aws:ssm:*:*:parameter/team-${aws:username}", "/webhooks/"),
      false,
    );
    assert.equal(staysUnder("arn:${aws:x}:ssm:*:*:parameter/webhooks/${aws:username}", "/webhooks/"), true);
    assert.equal(staysUnder("arn:aws:ssm:*:*:parameter/webhooks${aws:username}", "/webhooks/"), false);
  });

  it("keep a grant under a path only when every ARN it matches is there", () => {
    assert.equal(
      staysUnder("arn:aws:ssm:us-east-1:1:parameter/webhooks/staging/*", "/webhooks/staging/"),
      true,
    );
    assert.equal(staysUnder("arn:aws:ssm:us-east-1:1:parameter/webhooks/*", "/webhooks/staging/"), false);
    assert.equal(
      staysUnder("arn:aws:ssm:us-east-1:1:parameter/webhooks/staging*", "/webhooks/staging/"),
      false,
    );
    assert.equal(
      reachesParametersOutside("arn:aws:ssm:us-east-1:1:parameter/webhooks/*", "/webhooks/staging/"),
      true,
    );
    assert.equal(reachesParametersOutside("arn:aws:ssm:us-east-1:1:document/*", "/webhooks/"), false);
  });
});
