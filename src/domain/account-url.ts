// Whether two clients reach the same storage account. Connection names are aliases chosen in config
// (two names may hold the same account), so "is this the same container?" is decided by the account's
// endpoint: scheme, host, port and, for path-style endpoints (Azurite, IP addresses), the account path.

/** The account endpoint without query (a SAS) or trailing slash, host lowercased: comparable. */
export function accountEndpoint(serviceUrl: string): string {
  const url = new URL(serviceUrl);
  return `${url.protocol}//${url.host.toLowerCase()}${url.pathname.replace(/\/+$/, '')}`;
}

export function sameAccount(serviceUrlA: string, serviceUrlB: string): boolean {
  return accountEndpoint(serviceUrlA) === accountEndpoint(serviceUrlB);
}
