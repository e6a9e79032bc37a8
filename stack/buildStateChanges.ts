/**
 * The events the notifier works on: every CodeBuild build state change, whichever project. The hub's rule
 * and each spoke's rule match the same events, so a spoke forwards exactly what the hub would have seen.
 */
export const BUILD_STATE_CHANGES_PATTERN = JSON.stringify({
  source: ["aws.codebuild"],
  "detail-type": ["CodeBuild Build State Change"],
});
