// A display-only split of a raw Set-Cookie line into its name and attributes (the core's parsed
// CookieInfo is authoritative; this is for lines that did not carry a credential).

export interface SetCookieParts {
  name: string;
  value: string;
  attributes: { name: string; value: string | null }[];
}

export function splitSetCookie(line: string): SetCookieParts {
  const [pair, ...attrs] = line.split(';');
  const eq = pair.indexOf('=');
  return {
    name: (eq === -1 ? '' : pair.slice(0, eq)).trim(),
    value: (eq === -1 ? pair : pair.slice(eq + 1)).trim(),
    attributes: attrs
      .map((a) => a.trim())
      .filter((a) => a !== '')
      .map((a) => {
        const i = a.indexOf('=');
        return i === -1 ? { name: a, value: null } : { name: a.slice(0, i).trim(), value: a.slice(i + 1).trim() };
      }),
  };
}
