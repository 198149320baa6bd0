/**
 * Decoding the text of literal and identifier tokens into AST values. Each function returns either the
 * value or a problem description (the caller turns it into a positioned SqlSyntaxError).
 */

/** `'it''s'` -> `it's`. */
export function decodeString(image: string): string {
  return image.slice(1, -1).replaceAll("''", "'");
}

/**
 * `U&'d\0061t\+000061'` -> `data`: after undoubling quotes, `\XXXX` is a 4-hex-digit code point,
 * `\+XXXXXX` a 6-hex-digit one, and `\\` a backslash (SQL:2016 Unicode character string literal).
 */
export function decodeUnicodeString(image: string): { value: string } | { problem: string } {
  const body = image.slice(3, -1).replaceAll("''", "'");
  let out = '';
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (c !== '\\') {
      out += c;
      continue;
    }
    if (body[i + 1] === '\\') {
      out += '\\';
      i++;
      continue;
    }
    const six = body[i + 1] === '+';
    const digits = six ? body.slice(i + 2, i + 8) : body.slice(i + 1, i + 5);
    const width = six ? 6 : 4;
    if (digits.length !== width || !/^[0-9a-fA-F]+$/.test(digits)) {
      return { problem: `invalid Unicode escape in U&'...' string (use \\XXXX or \\+XXXXXX)` };
    }
    const code = Number.parseInt(digits, 16);
    if (code > 0x10ffff) return { problem: `Unicode escape \\+${digits} is beyond U+10FFFF` };
    out += String.fromCodePoint(code);
    i += six ? 7 : 4;
  }
  return { value: out };
}

/** `X'0A ff'` -> `0aff`, or a problem when a character is not a hex digit or the count is odd. */
export function decodeBinaryString(image: string): { hex: string } | { problem: string } {
  const digits = image.slice(2, -1).replace(/\s+/g, '');
  if (!/^[0-9a-fA-F]*$/.test(digits)) return { problem: `binary string X'...' may only contain hex digits` };
  if (digits.length % 2 !== 0) return { problem: `binary string X'...' needs an even number of hex digits` };
  return { hex: digits.toLowerCase() };
}

/** `` `a``b` `` -> `` a`b ``; `"a""b"` -> `a"b`; a plain identifier is returned as is. */
export function decodeIdentifier(image: string): { text: string; quoted: boolean } {
  const q = image[0];
  if (q === '`') return { text: image.slice(1, -1).replaceAll('``', '`'), quoted: true };
  if (q === '"') return { text: image.slice(1, -1).replaceAll('""', '"'), quoted: true };
  return { text: image, quoted: false };
}
