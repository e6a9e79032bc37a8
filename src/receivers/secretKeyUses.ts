import { originOf, type ReceiverSecrets, type SecretKeyUse } from "./credentialOrigins";
import { isRecord } from "./readReceiverFile";
import { fieldName, visibleFieldPath } from "./receiverFinding";
import { referencedKey, type ReadConfig } from "./secretConfig";

/**
 * The config keys a file names for its secrets, each set, and the origins its URL and OAuth token URL
 * have by their config: what the rule of one origin per key is judged on.
 */
export function receiverSecrets(
  fields: Record<string, unknown>,
  file: string,
  readConfig: ReadConfig,
): ReceiverSecrets {
  const oauthFields = isRecord(fields.oauth) ? ["tokenUrl", "clientId", "clientSecret"] : [];
  const secretPaths = [
    ...["url", "headers", "signingSecret"].map((field) => [field]),
    ...oauthFields.map((field) => ["oauth", field]),
    ...Object.keys(isRecord(fields.secrets) ? fields.secrets : {}).map((name) => ["secrets", name]),
  ];
  const uses: SecretKeyUse[] = [];
  for (const fieldPath of secretPaths) {
    const key = referencedKey(fields, fieldPath);
    if (key === undefined || readConfig(key) === undefined) continue;
    const field = fieldName(visibleFieldPath(fieldPath));
    uses.push({ key, field, fieldPath: [...fieldPath, "secret"], oauth: fieldPath[0] === "oauth" });
  }
  const originOfConfig = (fieldPath: readonly string[]) => {
    const key = referencedKey(fields, fieldPath);
    return originOf(key === undefined ? undefined : readConfig(key)?.value);
  };
  return {
    file,
    uses,
    origin: originOfConfig(["url"]),
    ...(oauthFields.length > 0 ? { tokenOrigin: originOfConfig(["oauth", "tokenUrl"]) } : {}),
  };
}
