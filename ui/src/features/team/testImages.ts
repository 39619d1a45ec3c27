/**
 * For tests of image uploads (avatar, logo): files as a browser hands them over and the uploads
 * the page sent (type and bytes). Imported by tests only.
 */
import { vi } from 'vitest';
import type { mockApi } from '../../test/mockApi';

export const PNG_BYTES = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13];

/**
 * A file to upload. jsdom's own File is no Blob to Node's fetch (the body would go out as the
 * text "undefined"), so the bytes are held by Node's Blob, with the name a browser's File has.
 */
export async function imageFile(name: string, type: string, bytes: number[] = PNG_BYTES): Promise<File> {
  const data = new Uint8Array(bytes);
  const blob = await new Response(data, { headers: { 'Content-Type': type } }).blob();
  return Object.defineProperties(blob, { name: { value: name }, lastModified: { value: 0 } }) as unknown as File;
}

/** A file the page must refuse before sending (never read, so jsdom's File will do). */
export function refusedFile(name: string, type: string, size: number): File {
  return new File([new Uint8Array(size)], name, { type });
}

export interface Upload {
  method: string;
  path: string;
  type: string | null;
  bytes: number[];
}

/**
 * Records every request whose body is an image, then hands it to the fake server without that
 * body (its routes read JSON).
 */
export function recordUploads(api: ReturnType<typeof mockApi>): Upload[] {
  const uploads: Upload[] = [];
  vi.stubGlobal('fetch', async (input: Request) => {
    const type = input.headers.get('Content-Type');
    if (!type?.startsWith('image/')) return api.fetch(input);
    const bytes = [...new Uint8Array(await input.clone().arrayBuffer())];
    uploads.push({ method: input.method, path: new URL(input.url).pathname, type, bytes });
    return api.fetch(new Request(input.url, { method: input.method, headers: input.headers }));
  });
  return uploads;
}
