// The status page's clickable URL: the function key rides in ?code=, as the host accepts it.

export function dashboardUrlOf(functionsBaseUrl: string, functionKey: string): string {
  return `${functionsBaseUrl}/api/dashboard?code=${encodeURIComponent(functionKey)}`;
}
