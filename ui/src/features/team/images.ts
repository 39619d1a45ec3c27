/**
 * Uploading an image (an avatar, the organization's logo): which files the server takes, the
 * check made before sending one, and the request options that send the file itself as the body.
 *
 * The server recognises the image by its bytes and answers 422 when they are not of the type
 * sent, 415 for any other type; checking the type and size here first spares the round trip and
 * gives a clearer message.
 */
import type { paths } from '../../api/schema.gen';

/** The types the avatar upload accepts, as the OpenAPI document lists them. */
export type ImageType = keyof paths['/auth/me/avatar']['put']['requestBody']['content'];
type LogoType = keyof paths['/auth/organizations/current/logo']['put']['requestBody']['content'];

// Both uploads take the same types: this stops compiling the day they differ.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
true satisfies Same<ImageType, LogoType>;

/** Every accepted type, exactly those of the schema (a missing or extra one does not compile). */
const TYPES = { 'image/png': true, 'image/jpeg': true, 'image/webp': true, 'image/gif': true } satisfies Record<ImageType, true>;

export const IMAGE_TYPES = Object.keys(TYPES) as ImageType[];

/** For the file picker's `accept`. */
export const IMAGE_ACCEPT = IMAGE_TYPES.join(',');

/** The server's limit (`MAX_BYTES` in src/services/images.rs). */
export const MAX_IMAGE_BYTES = 512 * 1024;

/** "PNG, JPEG, WebP or GIF, at most 512 KB." */
export const IMAGE_RULES = `PNG, JPEG, WebP or GIF, at most ${MAX_IMAGE_BYTES / 1024} KB.`;

/** Some systems give no type for a file they do not know; its extension then says it. */
const BY_EXTENSION: Record<string, ImageType> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
};

function isImageType(type: string): type is ImageType {
  return (IMAGE_TYPES as string[]).includes(type);
}

function sizeText(bytes: number): string {
  return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.ceil(bytes / 1024)} KB`;
}

export type ImageCheck = { ok: true; type: ImageType } | { ok: false; message: string };

/** Whether the server would take this file (as far as its type and size tell), and as what. */
export function checkImage(file: Pick<File, 'name' | 'size' | 'type'>): ImageCheck {
  const declared = file.type.toLowerCase();
  const extension = /\.([a-z0-9]+)$/i.exec(file.name ?? '')?.[1]?.toLowerCase() ?? '';
  const type = isImageType(declared) ? declared : declared ? undefined : BY_EXTENSION[extension];
  if (declared === 'image/svg+xml' || extension === 'svg') {
    return { ok: false, message: 'SVG images are not accepted, as they can carry scripts. Use a PNG, JPEG, WebP or GIF image.' };
  }
  if (!type) return { ok: false, message: `That file is not a PNG, JPEG, WebP or GIF image. Choose one of those.` };
  if (file.size === 0) return { ok: false, message: 'That file is empty. Choose another image.' };
  if (file.size > MAX_IMAGE_BYTES) {
    return {
      ok: false,
      message: `That image is ${sizeText(file.size)}; the most is ${MAX_IMAGE_BYTES / 1024} KB. Choose a smaller one, or shrink it first.`,
    };
  }
  return { ok: true, type };
}

/**
 * Request options that send `file` as it is, with its type as the Content-Type. The generated
 * schema types a binary body as `string` (openapi-typescript's reading of `format: binary`);
 * what fetch sends is the Blob itself: the serializer hands it over untouched, so openapi-fetch
 * neither turns it into JSON nor adds its default `application/json` type.
 */
export function imageBody(file: Blob, type: ImageType) {
  return {
    body: file as unknown as string,
    bodySerializer: (body: unknown) => body,
    headers: { 'Content-Type': type },
  };
}

/**
 * Error sentences for an upload the server refused; its message (e.g. "the file is image/jpeg,
 * not the image/png its Content-Type says") is the detail.
 */
export const UPLOAD_ERRORS = {
  validation_failed: 'That image could not be used.',
  unsupported_media_type: 'Use a PNG, JPEG, WebP or GIF image.',
  payload_too_large: `That image is larger than ${MAX_IMAGE_BYTES / 1024} KB.`,
};
