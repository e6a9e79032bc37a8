import type { AttributeValue } from "@aws-sdk/client-dynamodb";

/** What a build's final status means for its project, decided once, when the build is first recorded. */
export interface Verdict {
  /** The project's final status before this build; undefined for its first. */
  previous?: string;
  /** Whether this build's final status differs from the previous one (the first one always does). */
  changed: boolean;
}

export function verdictToItem(verdict: Verdict): AttributeValue {
  return {
    M: {
      changed: { BOOL: verdict.changed },
      ...(verdict.previous === undefined ? {} : { previous: { S: verdict.previous } }),
    },
  };
}

export function verdictFromItem(item: AttributeValue): Verdict {
  const fields = item.M ?? {};
  return {
    changed: fields.changed?.BOOL === true,
    ...(fields.previous?.S === undefined ? {} : { previous: fields.previous.S }),
  };
}
