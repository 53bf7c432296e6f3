import sharp from 'sharp';
import { DecoderLock } from '@graft/core/base';
import { describeNonImage, detectImageFormat, type ImageFormat } from './image-format.js';

export type Inspection =
  | { readonly usable: true; readonly format: ImageFormat; readonly width: number; readonly height: number }
  | { readonly usable: false; readonly reason: string };

/**
 * Decide whether bytes are a usable image: the format comes from the content, the size from the
 * header (checked against `maxPixels` before any pixel is decoded), and a small decode proves the
 * pixel data is complete (truncated files are rejected — see README "Bad input").
 */
export async function inspectImage(bytes: Uint8Array, maxPixels: number): Promise<Inspection> {
  const format = detectImageFormat(bytes.subarray(0, 512));
  if (!format) return { usable: false, reason: describeNonImage(bytes.subarray(0, 512)) };
  const inspection = await decoders.shared(() => decodeInspection(bytes, format, maxPixels));
  // A rejection is decoded again alone, so its reason is the file's own (see DecoderLock).
  return inspection.usable ? inspection : decoders.exclusive(() => decodeInspection(bytes, format, maxPixels));
}

const decoders = new DecoderLock();

async function decodeInspection(bytes: Uint8Array, format: ImageFormat, maxPixels: number): Promise<Inspection> {
  let width: number;
  let height: number;
  try {
    const metadata = await sharp(bytes, { limitInputPixels: false }).metadata();
    width = metadata.autoOrient?.width ?? metadata.width ?? 0;
    height = metadata.autoOrient?.height ?? metadata.height ?? 0;
  } catch (error) {
    return { usable: false, reason: `unreadable ${format}: ${firstLine(error)}` };
  }
  if (width < 1 || height < 1) return { usable: false, reason: `unreadable ${format}: no image size in the header` };
  if (width * height > maxPixels) {
    return { usable: false, reason: `too large: ${width}×${height} = ${width * height} pixels exceeds the limit ${maxPixels} (split --max-pixels)` };
  }
  try {
    await sharp(bytes, { failOn: 'error', limitInputPixels: maxPixels }).resize(32, 32, { fit: 'fill' }).raw().toBuffer();
  } catch (error) {
    return { usable: false, reason: decodeFailureReason(format, error) };
  }
  return { usable: true, format, width, height };
}

/** A rejection reason from a decoder error: unsupported codecs said as such, else the first line. */
export function decodeFailureReason(format: ImageFormat, error: unknown): string {
  const message = String((error as Error).message ?? error);
  // libheif's message for HEVC varies ("…has not been built in", "bad seek", "Unknown error"): the
  // bundled libvips decodes AVIF-coded HEIF (detected as avif) but never HEVC-coded HEIC. The message
  // is read only for HEIF-family files.
  if (format === 'heif' || (format === 'avif' && /HEVC|libde265|has not been built in/i.test(message))) {
    return `HEIC/HEIF that this build of libvips cannot decode (no HEVC decoder, or a damaged file): convert it to JPEG or PNG`;
  }
  return `corrupt or truncated ${format}: ${firstLine(error)}`;
}

function firstLine(error: unknown): string {
  return String((error as Error).message ?? error).split('\n')[0]!.trim();
}
