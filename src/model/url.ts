/**
 * URLs may carry secrets: a key in the query string (`?api_key=…`), userinfo
 * (`user:pass@`), a token in the fragment. Requests are built from them
 * structurally, and anything printed goes through `redactUrl` or
 * `redactUrlsInText` first.
 */

const SECRET = '<secret>';
/** Shorter values are not blanked in free text: `?n=1` must not blank every "1" of a message. */
const MIN_SECRET_LENGTH = 4;

/** `path` below `base`'s path, keeping base's query string (it may carry the API key the server needs). */
export function joinPath(base: string, path: string): string {
  const u = new URL(base);
  u.pathname = `${u.pathname.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
  u.hash = '';
  return u.href;
}

/** `scheme://userinfo@` at the start; userinfo ends at the last `@` before the path. */
const USERINFO = /^([A-Za-z][A-Za-z0-9+.-]*:\/\/)[^/?#]*@/;

/** The query (`a=1&b`), every value (or valueless part: it may be a bare token) blanked, keys kept. */
function blankQuery(query: string): string {
  return query
    .split('&')
    .map((part) => (part === '' ? '' : part.includes('=') ? `${part.slice(0, part.indexOf('='))}=${SECRET}` : SECRET))
    .join('&');
}

/**
 * The URL as it may be printed: userinfo, every query value and the fragment
 * blanked; scheme, host, path and query keys kept, so the URL still says
 * where. Works on the text as given, parseable or not.
 */
export function redactUrl(url: string): string {
  let out = url.replace(USERINFO, `$1${SECRET}@`);
  const hash = out.indexOf('#');
  if (hash >= 0) out = `${out.slice(0, hash)}#${SECRET}`;
  const q = out.indexOf('?');
  if (q < 0) return out;
  const end = out.indexOf('#', q);
  const query = end < 0 ? out.slice(q + 1) : out.slice(q + 1, end);
  return `${out.slice(0, q)}?${blankQuery(query)}${end < 0 ? '' : out.slice(end)}`;
}

function decodings(raw: string): string[] {
  const out = [raw];
  for (const text of [raw, raw.replace(/\+/g, ' ')]) {
    try {
      out.push(decodeURIComponent(text));
    } catch {
      // malformed escapes: the raw form is all there is
    }
  }
  return out;
}

/** The secret parts of a URL (userinfo, query values, fragment), raw and decoded: servers echo either. */
export function urlSecrets(url: string): string[] {
  const out: string[] = [];
  const user = USERINFO.exec(url);
  if (user) {
    const info = url.slice(user[1]!.length, user[0].length - 1);
    const colon = info.indexOf(':');
    const parts = colon < 0 ? [info] : [info.slice(0, colon), info.slice(colon + 1)];
    out.push(info, ...parts.flatMap(decodings));
  }
  const hash = url.indexOf('#');
  const beforeHash = hash < 0 ? url : url.slice(0, hash);
  if (hash >= 0) out.push(...decodings(url.slice(hash + 1)));
  const q = beforeHash.indexOf('?');
  if (q >= 0) {
    for (const part of beforeHash.slice(q + 1).split('&')) {
      out.push(...decodings(part.includes('=') ? part.slice(part.indexOf('=') + 1) : part));
    }
  }
  return out;
}

/**
 * Blanks each secret out of `text`, and any start of it cut off by an
 * ellipsis (error messages show a preview of the answer, which may echo the
 * secret and end in the middle of it).
 */
export function blankSecrets(text: string, secrets: Iterable<string>): string {
  let out = text;
  const list = [...new Set(secrets)].filter((s) => s.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
  for (const s of list) {
    out = out.split(s).join(SECRET);
    for (let k = s.length - 1; k >= MIN_SECRET_LENGTH; k--) out = out.split(`${s.slice(0, k)}…`).join(`${SECRET}…`);
  }
  return out;
}

/**
 * A URL inside free text: up to white space, a quote, a bracket or an escape
 * (JSON, HTML, parentheses around it); an already blanked `<secret>` is part
 * of it, so redacting twice changes nothing.
 */
const URL_IN_TEXT = /\b[A-Za-z][A-Za-z0-9+.-]*:\/\/(?:<secret>|[^\s"'`<>()[\]{}\\])+/g;
/** Punctuation that ends a sentence rather than the URL (`http://h/x?k=v: HTTP 500`). */
const TRAILING = /[.,;:!?]+$/;

/**
 * `text` (an error message: a server's answer, a library's error) with every
 * URL in it redacted, and the secret parts of `urls` (the URLs the request
 * went to) blanked wherever they appear on their own.
 */
export function redactUrlsInText(text: string, urls: Iterable<string> = []): string {
  const found = text.replace(URL_IN_TEXT, (u) => {
    const tail = TRAILING.exec(u)?.[0] ?? '';
    return redactUrl(u.slice(0, u.length - tail.length)) + tail;
  });
  return blankSecrets(found, [...urls].flatMap(urlSecrets));
}
