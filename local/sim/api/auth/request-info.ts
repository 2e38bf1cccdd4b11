// What a request asks for, in the terms the authorizer reads (Kubernetes v1.32
// staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go): a resource request under
// /api/VERSION or /apis/GROUP/VERSION with verb, namespace, resource, subresource and name; any
// other path a non-resource request with the method as verb. Taken from the path alone, before
// routing, so an unknown resource is refused (403) before it is not found (404), as on a server.

export type Attributes =
  | { readonly resourceRequest: true; readonly verb: string; readonly apiGroup: string; readonly apiVersion: string; readonly namespace: string; readonly resource: string; readonly subresource: string; readonly name: string; readonly path: string }
  | { readonly resourceRequest: false; readonly verb: string; readonly path: string };

const VERB_OF_METHOD: Record<string, string> = { POST: 'create', GET: 'get', HEAD: 'get', PUT: 'update', PATCH: 'patch', DELETE: 'delete' };
/** Namespace subresources: /namespaces/NAME/status is the Namespace's, not a resource named "status". */
const NAMESPACE_SUBRESOURCES = new Set(['status', 'finalize']);

export function requestAttributes(method: string, url: URL): Attributes {
  const path = url.pathname;
  const nonResource: Attributes = { resourceRequest: false, verb: method.toLowerCase(), path };
  let parts = path.split('/').filter((p) => p !== '');
  if (parts.length < 3 || (parts[0] !== 'api' && parts[0] !== 'apis')) return nonResource;
  let apiGroup = '';
  if (parts[0] === 'apis') {
    if (parts.length < 4) return nonResource;
    apiGroup = parts[1]!;
    parts = parts.slice(2);
  } else parts = parts.slice(1);
  const apiVersion = parts[0]!;
  parts = parts.slice(1).map((p) => decodeURIComponent(p));
  let verb = VERB_OF_METHOD[method.toUpperCase()] ?? method.toLowerCase();
  // The deprecated /api/v1/watch/... paths (the sim serves none of them, but they are still authorized as watches).
  if (parts[0] === 'watch') {
    verb = 'watch';
    parts = parts.slice(1);
  }
  let namespace = '';
  if (parts[0] === 'namespaces' && parts.length > 1) {
    namespace = parts[1]!;
    if (parts.length > 2 && !NAMESPACE_SUBRESOURCES.has(parts[2]!)) parts = parts.slice(2);
  }
  const resource = parts[0] ?? '';
  let name = parts[1] ?? '';
  const subresource = parts[2] ?? '';
  if (name === '' && verb === 'get') {
    const watch = url.searchParams.get('watch');
    verb = watch !== null && watch !== 'false' && watch !== '0' ? 'watch' : 'list';
    // A list or watch of one object by fieldSelector=metadata.name=X is authorized for X (resourceNames).
    name = parseFieldSelectorName(url.searchParams.get('fieldSelector')) ?? '';
  }
  if (name === '' && verb === 'delete') verb = 'deletecollection';
  return { resourceRequest: true, verb, apiGroup, apiVersion, namespace, resource, subresource, name, path };
}

/**
 * The name a field selector requires exactly (fields.Selector.RequiresExactMatch("metadata.name"))
 * when it is a valid path segment, else undefined.
 */
function parseFieldSelectorName(selector: string | null): string | undefined {
  let found: string | undefined;
  for (const term of (selector ?? '').split(',')) {
    const m = /^\s*metadata\.name\s*={1,2}\s*(.*?)\s*$/.exec(term);
    if (m) found = m[1];
  }
  if (found === undefined || found === '' || found === '.' || found === '..' || /[/%]/.test(found)) return undefined;
  return found;
}
