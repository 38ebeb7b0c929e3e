// PNG / JPEG training plots (`loss.png`): role `log`, format `image`, no log summary. Only the
// header is read: PNG width/height from IHDR, JPEG size from the first SOF marker.
import { ReadError } from '../../io/errors';
import type { BinaryReader } from '../reader';

/** What the webview needs to show an image. */
export interface ImageInfo {
  mime: 'image/png' | 'image/jpeg';
  width: number;
  height: number;
}

/** JPEG headers past this many bytes are not looked for (the SOF comes after at most a few APP segments). */
export const MAX_IMAGE_HEADER_BYTES = 16 * 1024 * 1024;

const PNG_MAGIC = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

function isPng(b: Uint8Array): boolean {
  return b.length >= 8 && PNG_MAGIC.every((x, i) => b[i] === x);
}

function isJpeg(b: Uint8Array): boolean {
  return b.length >= 3 && b[0] === 0xff && b[1] === 0xd8 && b[2] === 0xff;
}

const be16 = (b: Uint8Array, p: number) => (b[p] << 8) | b[p + 1];
const be32 = (b: Uint8Array, p: number) => ((b[p] << 24) | (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3]) >>> 0;

function pngInfo(b: Uint8Array, name: string): ImageInfo {
  if (b.length < 24) throw new ReadError('truncated-image', `${name}: PNG ends before its IHDR header`);
  const type = String.fromCharCode(b[12], b[13], b[14], b[15]);
  if (type !== 'IHDR' || be32(b, 8) !== 13) throw new ReadError('invalid-image', `${name}: PNG does not start with an IHDR chunk`);
  return { mime: 'image/png', width: be32(b, 16), height: be32(b, 20) };
}

/** JPEG size from the first SOFn marker; 'short' when `b` ends before it. */
function jpegInfo(b: Uint8Array, name: string): ImageInfo | 'short' {
  let p = 2;
  for (;;) {
    while (p < b.length && b[p] === 0xff && b[p + 1] === 0xff) p++; // fill bytes
    if (p + 1 >= b.length) return 'short';
    if (b[p] !== 0xff) throw new ReadError('invalid-image', `${name}: JPEG marker expected at byte offset ${p}`);
    const m = b[p + 1];
    const at = p;
    p += 2;
    if (m === 0x01 || (m >= 0xd0 && m <= 0xd8)) continue; // markers without a length
    if (m === 0xd9 || m === 0xda) throw new ReadError('invalid-image', `${name}: JPEG has no frame header before byte offset ${at}`);
    if (p + 2 > b.length) return 'short';
    const len = be16(b, p);
    if (len < 2) throw new ReadError('invalid-image', `${name}: JPEG segment at byte offset ${at} has length ${len}`);
    const sof = m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc;
    if (sof) {
      if (p + 7 > b.length) return 'short';
      return { mime: 'image/jpeg', width: be16(b, p + 5), height: be16(b, p + 3) };
    }
    p += len;
  }
}

/** Type and size of a PNG or JPEG from its first bytes. Throws ReadError when they are not one. */
export function readImageInfo(bytes: Uint8Array, name = 'image'): ImageInfo {
  if (isPng(bytes)) return pngInfo(bytes, name);
  if (isJpeg(bytes)) {
    const r = jpegInfo(bytes, name);
    if (r === 'short') throw new ReadError('truncated-image', `${name}: JPEG ends before its frame header`);
    return r;
  }
  throw new ReadError('invalid-image', `${name}: neither a PNG nor a JPEG`);
}

/** PNG / JPEG training plots. */
export const imageReader: BinaryReader = {
  kind: 'binary',
  name: 'image',
  formats: ['image'],
  fallbackRole: 'log',
  sniff: (head) => isPng(head) || isJpeg(head),
  read: async ({ path, size, head, source }) => {
    let bytes = head;
    if (isJpeg(head) && jpegInfo(head, path) === 'short' && size > head.length) {
      bytes = await source.readRange(path, 0, Math.min(size, MAX_IMAGE_HEADER_BYTES));
    }
    readImageInfo(bytes, path);
    return { role: 'log', format: 'image' };
  },
};
