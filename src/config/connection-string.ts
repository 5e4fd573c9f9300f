// Parsing a storage connection string ourselves, so the client can be built on our own pipeline
// (rate limit and other policies); BlobServiceClient.fromConnectionString takes no pipeline.

export interface ParsedConnectionString {
  blobEndpoint: string;
  accountName: string;
  accountKey?: string;
  sasToken?: string;
}

const DEV_STORAGE = {
  accountName: 'devstoreaccount1',
  accountKey: 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==',
  blobEndpoint: 'http://127.0.0.1:10000/devstoreaccount1',
};

export function parseConnectionString(text: string): ParsedConnectionString {
  const fields = new Map<string, string>();
  for (const part of text.split(';')) {
    const at = part.indexOf('=');
    if (at > 0) fields.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  if (fields.get('usedevelopmentstorage') === 'true') return { ...DEV_STORAGE };
  const accountName = fields.get('accountname');
  const explicitEndpoint = fields.get('blobendpoint');
  const protocol = fields.get('defaultendpointsprotocol') ?? 'https';
  const suffix = fields.get('endpointsuffix') ?? 'core.windows.net';
  const blobEndpoint = explicitEndpoint ?? (accountName ? `${protocol}://${accountName}.blob.${suffix}` : undefined);
  if (!blobEndpoint) throw new Error('connection string has neither BlobEndpoint nor AccountName');
  const name = accountName ?? accountNameFromUrl(blobEndpoint);
  const accountKey = fields.get('accountkey');
  const sasToken = fields.get('sharedaccesssignature')?.replace(/^\?/, '');
  if (!accountKey && !sasToken) throw new Error('connection string has neither AccountKey nor SharedAccessSignature');
  return { blobEndpoint: blobEndpoint.replace(/\/$/, ''), accountName: name, accountKey, sasToken };
}

/** `https://acct.blob.core.windows.net` -> acct; `http://127.0.0.1:10000/acct` (emulator) -> acct. */
export function accountNameFromUrl(url: string): string {
  const u = new URL(url);
  if (/^[\d.]+$|^localhost$|^\[/.test(u.hostname)) return u.pathname.split('/').filter(Boolean)[0] ?? '';
  return u.hostname.split('.')[0]!;
}
