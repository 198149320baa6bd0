/**
 * Hashing and encoding built-ins: MD5, SHA1, SHA224, SHA256, SHA384, SHA512, SHA2(s, bits), TO_BASE64,
 * FROM_BASE64, UUID. Strings are hashed and encoded as their UTF-8 bytes; BYTES as they are. Hashes are
 * lower-case hexadecimal text, as Flink prints them.
 */
import { createHash, randomUUID } from 'node:crypto';
import type { Value } from '../../../operators/api.ts';
import { T } from '../../types.ts';
import type { ScalarFunctionDef } from '../registry.ts';
import {
  badCall,
  defineScalar,
  isBin,
  isIntegralT,
  isStr,
  matches,
  nullAware,
  nullableFrom,
  pure,
  runtimeError,
  stringOf,
} from './util.ts';

const encoder = new TextEncoder();
const utf8 = (v: Value): Uint8Array => (typeof v === 'string' ? encoder.encode(v) : (v as Uint8Array));
const isStrOrBin = (t: Parameters<typeof isStr>[0]) => isStr(t) || isBin(t);

const digest = (algorithm: string, v: Value): string => createHash(algorithm).update(utf8(v)).digest('hex');

const hashFn = (name: string, algorithm: string, hexLength: number): ScalarFunctionDef =>
  defineScalar(
    name,
    `${name} digest of a string's UTF-8 bytes (or of BYTES) as hexadecimal text.`,
    (args) => {
      if (!matches(args, [isStrOrBin])) throw badCall(name, args, [`${name}(STRING)`, `${name}(BYTES)`]);
      return pure(nullableFrom(T.char(hexLength, false), args), (v: Value) => digest(algorithm, v));
    },
  );

const SHA2_BITS: Record<number, string> = { 224: 'sha224', 256: 'sha256', 384: 'sha384', 512: 'sha512' };

const sha2 = defineScalar(
  'SHA2',
  'SHA-2 digest (bits = 224, 256, 384 or 512) as hexadecimal text; NULL for any other bit length.',
  (args) => {
    if (!matches(args, [isStrOrBin, isIntegralT])) throw badCall('SHA2', args, ['SHA2(STRING, INT bits)']);
    return pure(T.varchar(128, true), (v: Value, bits: Value) => {
      const alg = SHA2_BITS[Number(bits)];
      return alg === undefined ? null : digest(alg, v);
    });
  },
);

const toBase64 = defineScalar(
  'TO_BASE64',
  'Base64 encoding of a string’s UTF-8 bytes (or of BYTES).',
  (args) => {
    if (!matches(args, [isStrOrBin]))
      throw badCall('TO_BASE64', args, ['TO_BASE64(STRING)', 'TO_BASE64(BYTES)']);
    return pure(stringOf(args), (v: Value) => Buffer.from(utf8(v)).toString('base64'));
  },
);

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

const fromBase64 = defineScalar('FROM_BASE64', 'Decodes base64 text into a (UTF-8) string.', (args) => {
  if (!matches(args, [isStr])) throw badCall('FROM_BASE64', args, ['FROM_BASE64(STRING)']);
  return pure(stringOf(args), (s: string) => {
    // Padding is optional (as in Java's decoder) but a lone trailing character is never valid.
    if (!BASE64.test(s) || s.replace(/=+$/, '').length % 4 === 1 || (s.includes('=') && s.length % 4 !== 0)) {
      throw runtimeError(
        'INVALID_BASE64',
        `FROM_BASE64: input is not valid base64: '${s.length > 40 ? `${s.slice(0, 40)}...` : s}'`,
      );
    }
    return Buffer.from(s, 'base64').toString('utf8');
  });
});

const uuid = defineScalar('UUID', 'A random (version 4) UUID as text.', (args) => {
  if (args.length !== 0) throw badCall('UUID', args, ['UUID()']);
  return nullAware(T.char(36, false), () => randomUUID(), false);
});

// ---- ENCODE / DECODE between strings and bytes in a character set ----

const CHARSETS: Record<string, { encode: (s: string) => Uint8Array; decode: (b: Uint8Array) => string }> = {
  'UTF-8': { encode: (s) => encoder.encode(s), decode: (b) => new TextDecoder('utf-8').decode(b) },
  'ISO-8859-1': {
    // Characters outside Latin-1 become '?', as Java's encoder replaces unmappable characters.
    encode: (s) => Uint8Array.from(s, (ch) => (ch.charCodeAt(0) <= 0xff ? ch.charCodeAt(0) : 0x3f)),
    decode: (b) => Array.from(b, (x) => String.fromCharCode(x)).join(''),
  },
  'US-ASCII': {
    encode: (s) => Uint8Array.from(s, (ch) => (ch.charCodeAt(0) <= 0x7f ? ch.charCodeAt(0) : 0x3f)),
    decode: (b) => Array.from(b, (x) => (x <= 0x7f ? String.fromCharCode(x) : '\uFFFD')).join(''),
  },
  'UTF-16BE': { encode: (s) => utf16(s, false), decode: (b) => new TextDecoder('utf-16be').decode(b) },
  'UTF-16LE': { encode: (s) => utf16(s, true), decode: (b) => new TextDecoder('utf-16le').decode(b) },
  // Java writes a big-endian byte order mark for UTF-16 and honours one when reading.
  'UTF-16': {
    encode: (s) => Uint8Array.from([0xfe, 0xff, ...utf16(s, false)]),
    decode: (b) =>
      b[0] === 0xff && b[1] === 0xfe
        ? new TextDecoder('utf-16le').decode(b.subarray(2))
        : new TextDecoder('utf-16be').decode(b[0] === 0xfe && b[1] === 0xff ? b.subarray(2) : b),
  },
};

function utf16(s: string, little: boolean): Uint8Array {
  const out = new Uint8Array(s.length * 2);
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    out[2 * i + (little ? 1 : 0)] = c >> 8;
    out[2 * i + (little ? 0 : 1)] = c & 0xff;
  }
  return out;
}

function charset(name: string) {
  const cs = CHARSETS[name.toUpperCase()];
  if (cs === undefined) {
    throw runtimeError(
      'INVALID_ARGUMENT',
      `Unsupported character set '${name}': use one of ${Object.keys(CHARSETS).join(', ')}`,
    );
  }
  return cs;
}

const encodeFn = defineScalar(
  'ENCODE',
  'The bytes of a string in a character set (UTF-8, ISO-8859-1, US-ASCII, UTF-16, UTF-16BE, UTF-16LE).',
  (args) => {
    if (!matches(args, [isStr, isStr])) throw badCall('ENCODE', args, ['ENCODE(STRING, STRING charset)']);
    return pure(nullableFrom(T.bytes(false), args), (s: string, cs: string) => charset(cs).encode(s));
  },
);

const decodeFn = defineScalar(
  'DECODE',
  'The string of bytes in a character set (UTF-8, ISO-8859-1, US-ASCII, UTF-16, UTF-16BE, UTF-16LE).',
  (args) => {
    if (!matches(args, [isBin, isStr])) throw badCall('DECODE', args, ['DECODE(BYTES, STRING charset)']);
    return pure(nullableFrom(T.string(false), args), (b: Uint8Array, cs: string) => charset(cs).decode(b));
  },
);

/** Every hashing/encoding built-in of this module. */
export const hashFunctions: readonly ScalarFunctionDef[] = [
  hashFn('MD5', 'md5', 32),
  hashFn('SHA1', 'sha1', 40),
  hashFn('SHA224', 'sha224', 56),
  hashFn('SHA256', 'sha256', 64),
  hashFn('SHA384', 'sha384', 96),
  hashFn('SHA512', 'sha512', 128),
  sha2,
  toBase64,
  fromBase64,
  uuid,
  encodeFn,
  decodeFn,
];
