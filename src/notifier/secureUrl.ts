/** Host names that stay on the machine: the loopback range, IPv6 loopback and localhost. */
const LOOPBACK_HOST = /^(?:127(?:\.\d{1,3}){3}|\[::1\]|localhost)$/i;

/**
 * Whether a URL may carry OAuth credentials: https, or http to a loopback address, which never leaves the
 * machine (RFC 8252's exception for native apps; here, the local run and the tests). A client secret or
 * a bearer token sent over plain http to any other host can be read, and replayed, by anyone on the path
 * (RFC 6749 section 3.2 and RFC 6750 section 5.3 require TLS).
 */
export function isSecureUrl(url: string): boolean {
  if (!URL.canParse(url)) return false;
  const { protocol, hostname } = new URL(url);
  return protocol === "https:" || (protocol === "http:" && LOOPBACK_HOST.test(hostname));
}
