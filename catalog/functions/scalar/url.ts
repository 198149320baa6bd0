/**
 * URL built-ins: URL_ENCODE and URL_DECODE (application/x-www-form-urlencoded in UTF-8, as Java's
 * URLEncoder/URLDecoder) and PARSE_URL(url, part[, key]).
 *
 * PARSE_URL splits the URL with the generic syntax of RFC 3986 (appendix B):
 *   scheme ":" "//" authority path "?" query "#" fragment
 * and answers PROTOCOL (scheme), AUTHORITY, USERINFO, HOST, PATH, QUERY, REF (fragment) or FILE
 * (path plus "?query"). PARSE_URL(url, 'QUERY', key) is the value of the first `key=` parameter.
 * A part the URL does not have is NULL.
 */
import type { Value } from '../../../operators/api.ts';
import { T } from '../../types.ts';
import type { ScalarFunctionDef } from '../registry.ts';
import { badCall, defineScalar, isStr, matches, pure, runtimeError } from './util.ts';

const encoder = new TextEncoder();
const UNRESERVED = /[A-Za-z0-9.\-*_]/;

/** Java's URLEncoder.encode(s, UTF-8): unreserved characters stay, space is '+', the rest %XX. */
export function urlEncode(s: string): string {
  let out = '';
  for (const ch of s) {
    if (UNRESERVED.test(ch)) out += ch;
    else if (ch === ' ') out += '+';
    else for (const b of encoder.encode(ch)) out += `%${b.toString(16).toUpperCase().padStart(2, '0')}`;
  }
  return out;
}

const strictUtf8 = new TextDecoder('utf-8', { fatal: true });

/** Java's URLDecoder.decode(s, UTF-8); undefined when an escape is malformed. */
export function urlDecode(s: string): string | undefined {
  let out = '';
  let i = 0;
  while (i < s.length) {
    const c = s[i] as string;
    if (c === '+') {
      out += ' ';
      i++;
    } else if (c === '%') {
      const bytes: number[] = [];
      while (s[i] === '%') {
        const hex = s.slice(i + 1, i + 3);
        if (!/^[0-9a-fA-F]{2}$/.test(hex)) return undefined;
        bytes.push(Number.parseInt(hex, 16));
        i += 3;
      }
      try {
        out += strictUtf8.decode(new Uint8Array(bytes));
      } catch {
        return undefined;
      }
    } else {
      out += c;
      i++;
    }
  }
  return out;
}

const urlEncodeFn = defineScalar(
  'URL_ENCODE',
  'Encodes text for a URL query (UTF-8, space as +); NULL if it cannot.',
  (args) => {
    if (!matches(args, [isStr])) throw badCall('URL_ENCODE', args, ['URL_ENCODE(STRING)']);
    return pure(T.string(true), (s: string) => urlEncode(s));
  },
);

const urlDecodeFn = defineScalar(
  'URL_DECODE',
  'Decodes URL query text (UTF-8, + as space); NULL when it is malformed.',
  (args) => {
    if (!matches(args, [isStr])) throw badCall('URL_DECODE', args, ['URL_DECODE(STRING)']);
    return pure(T.string(true), (s: string) => urlDecode(s) ?? null);
  },
);

const URL_RE = /^(?:([^:/?#]+):)?(?:\/\/([^/?#]*))?([^?#]*)(?:\?([^#]*))?(?:#(.*))?$/s;

interface UrlParts {
  readonly scheme?: string;
  readonly authority?: string;
  readonly path: string;
  readonly query?: string;
  readonly fragment?: string;
}

function splitUrl(url: string): UrlParts | undefined {
  const m = URL_RE.exec(url);
  if (!m || m[1] === undefined) return undefined; // Java's URL needs a protocol
  return { scheme: m[1], authority: m[2], path: m[3] ?? '', query: m[4], fragment: m[5] };
}

const PARTS = ['HOST', 'PATH', 'QUERY', 'REF', 'PROTOCOL', 'FILE', 'AUTHORITY', 'USERINFO'];

function urlPart(u: UrlParts, part: string): string | null {
  const at = u.authority?.lastIndexOf('@') ?? -1;
  switch (part) {
    case 'PROTOCOL':
      return u.scheme ?? null;
    case 'AUTHORITY':
      return u.authority ?? null;
    case 'USERINFO':
      return u.authority !== undefined && at >= 0 ? u.authority.slice(0, at) : null;
    case 'HOST': {
      if (u.authority === undefined) return null;
      const hostPort = u.authority.slice(at + 1);
      const host = hostPort.startsWith('[')
        ? hostPort.slice(0, hostPort.indexOf(']') + 1)
        : hostPort.replace(/:\d*$/, '');
      return host;
    }
    case 'PATH':
      return u.path;
    case 'QUERY':
      return u.query ?? null;
    case 'REF':
      return u.fragment ?? null;
    case 'FILE':
      return u.query === undefined ? u.path : `${u.path}?${u.query}`;
    default:
      return null;
  }
}

const parseUrl = defineScalar(
  'PARSE_URL',
  "PARSE_URL(url, part[, key]): a part of a URL (HOST, PATH, QUERY, REF, PROTOCOL, FILE, AUTHORITY, USERINFO), or a query parameter with PARSE_URL(url, 'QUERY', key).",
  (args) => {
    if (!matches(args, [isStr, isStr]) && !matches(args, [isStr, isStr, isStr])) {
      throw badCall('PARSE_URL', args, [
        'PARSE_URL(STRING url, STRING part)',
        'PARSE_URL(STRING url, STRING part, STRING key)',
      ]);
    }
    return pure(T.string(true), (url: string, partText: string, key?: Value) => {
      const part = partText.toUpperCase();
      if (!PARTS.includes(part)) {
        throw runtimeError(
          'INVALID_ARGUMENT',
          `PARSE_URL: unknown part '${partText}', expected one of ${PARTS.join(', ')}`,
        );
      }
      const u = splitUrl(url);
      if (u === undefined) return null;
      const value = urlPart(u, part);
      if (key === undefined || value === null) return value;
      if (part !== 'QUERY') return null;
      for (const pair of value.split('&')) {
        const eq = pair.indexOf('=');
        if (eq >= 0 && pair.slice(0, eq) === key) return pair.slice(eq + 1);
      }
      return null;
    });
  },
);

/** Every URL built-in of this module. */
export const urlFunctions: readonly ScalarFunctionDef[] = [urlEncodeFn, urlDecodeFn, parseUrl];
