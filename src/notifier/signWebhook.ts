import { createHmac } from "node:crypto";

const SECRET_FORMAT = /^whsec_([A-Za-z0-9+/]+={0,2})$/;

/**
 * Standard Webhooks signature headers for one request: `webhook-signature` holds `v1,<base64 HMAC-SHA256
 * of "id.timestamp.body">` for each secret in the parameter (several, space-separated, while a secret is
 * rotated), so receivers verifying with either secret accept it. The HMAC covers the exact UTF-8 bytes
 * the request sends. Returns an Error, which never quotes the secrets, when one is malformed.
 */
export function signatureHeaders(
  secrets: string,
  id: string,
  timestampSeconds: number,
  body: string,
): Record<string, string> | Error {
  const keys: Buffer[] = [];
  for (const secret of secrets.trim().split(/\s+/)) {
    const base64 = SECRET_FORMAT.exec(secret)?.[1];
    if (base64 === undefined) return new Error("does not hold whsec_ secrets (whsec_ followed by base64)");
    keys.push(Buffer.from(base64, "base64"));
  }
  const signed = Buffer.from(`${id}.${timestampSeconds}.${body}`, "utf8");
  const signatures = keys.map((key) => `v1,${createHmac("sha256", key).update(signed).digest("base64")}`);
  return { "webhook-timestamp": String(timestampSeconds), "webhook-signature": signatures.join(" ") };
}
