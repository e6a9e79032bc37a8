import { BUILT_IN_PLACEHOLDERS } from "../shared/placeholders";
import { PER_BUILD_STEPS } from "../shared/registryFormat";
import { isRecord } from "./readReceiverFile";
import type { ReceiverDefinition } from "./receiverDefinition";
import type { ReceiverFile } from "./receiverSchema";
import { PLACEHOLDER_NAME } from "./schemaValues";
import type { PlaceholderText } from "./templateChecks";

/**
 * The texts of a per-build receiver's post and update that the notifier substitutes values into (each
 * template and path, as written), and the names they remember, each with the first step that does: added
 * to what the loader checks of every receiver's texts.
 */
export function perBuildTexts(
  fields: Record<string, unknown>,
  into: { texts: PlaceholderText[]; remembers: Map<string, string>; rememberedBy: Map<string, string[]> },
): void {
  const steps = isRecord(fields.perBuild) ? fields.perBuild : {};
  for (const step of PER_BUILD_STEPS) {
    const action = steps[step];
    if (!isRecord(action)) continue;
    for (const field of ["template", "path"] as const) {
      const text = action[field];
      if (typeof text === "string")
        into.texts.push({ fieldPath: ["perBuild", step, field], text, in: field });
    }
    for (const name of Object.keys(isRecord(action.remember) ? action.remember : {})) {
      if (!PLACEHOLDER_NAME.test(name) || Object.hasOwn(BUILT_IN_PLACEHOLDERS, name)) continue;
      if (!into.remembers.has(name)) into.remembers.set(name, `perBuild.${step}`);
      into.rememberedBy.set(name, [...(into.rememberedBy.get(name) ?? []), step]);
    }
  }
}

/**
 * A remembered value named in a per-build receiver's `step`: the post is the build's first request, so
 * nothing is remembered when it is sent; an update has what the post (and earlier updates) remembered,
 * so a value only `update` remembers is missing for the build's first update.
 */
export function perBuildRememberProblem(
  at: string,
  step: string,
  rememberedBy: readonly string[],
  where: "template" | "path",
): { message: string; warning?: boolean } | undefined {
  if (step === "post") {
    return {
      message:
        `${at} is a value perBuild.${rememberedBy[0]} remembers from an answer, and post is the build's first ` +
        "request: nothing is remembered when it is sent, so it could never be filled here",
    };
  }
  if (rememberedBy.includes("post")) return undefined;
  return {
    warning: true,
    message:
      `${at} is a value only perBuild.update remembers from an answer, so the build's first update has none: ` +
      (where === "path" ? "it is not sent" : "the placeholder is sent as written"),
  };
}

/** The per-build actions and expected answer of a sound file, as the receiver's definition has them. */
export function perBuildDefinition(receiver: ReceiverFile): Pick<ReceiverDefinition, "perBuild" | "answer"> {
  const steps = receiver.perBuild;
  return {
    ...(steps === undefined
      ? {}
      : {
          perBuild: {
            post: { ...steps.post, method: steps.post.method ?? receiver.method },
            update: { ...steps.update, method: steps.update.method ?? receiver.method },
          },
        }),
    ...(receiver.answer === undefined ? {} : { answer: receiver.answer }),
  };
}
