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

/**
 * A stable name for a document database account, from its endpoint (the catalog's name for it, as a
 * storage account's name is for blobs): `myacct` for https://myacct.documents.azure.com or
 * mongodb://…@myacct.mongo.cosmos.azure.com:10255; `127-0-0-1-8081` for a local endpoint.
 */
export function documentAccountName(endpoint: string): string {
  const url = new URL(endpoint.replace(/^mongodb(\+srv)?:\/\//, 'https://'));
  const host = url.hostname.toLowerCase();
  if (/\.(documents|mongo\.cosmos)\.azure\.com$/.test(host)) return host.split('.')[0]!;
  return `${host}${url.port ? `-${url.port}` : ''}`.replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}
