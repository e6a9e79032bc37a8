import { REGION } from "./awsIdentifiers";
import type { Report } from "./receiverFinding";

/**
 * A region no build reaches the stack from could never match: only the stack's own region and its
 * spokes' forward builds to it.
 */
export function checkRegionsHeard(
  fields: Record<string, unknown>,
  heard: readonly string[],
  report: Report,
): void {
  if (!Array.isArray(fields.regions)) return;
  fields.regions.forEach((region, index) => {
    if (typeof region === "string" && REGION.test(region) && !heard.includes(region)) {
      report(
        ["regions", index],
        `no build of ${region} reaches this stack, so the receiver would never hear of one there; the ` +
          `stack hears of ${heard.join(", ")} (its own region and its spokes'): add a spoke for ${region} ` +
          "(docs/organization.md) or remove it here",
      );
    }
  });
}
