/**
 * Who you are to the others: your display name and your picture. Each answer is the new "me",
 * written straight into its query; the member lists showing you are refreshed too.
 */
import { type QueryClient, useMutation, useQueryClient } from '@tanstack/react-query';
import { api, unwrap } from '../../api/client';
import type { components } from '../../api/schema.gen';
import type { MeView } from '../../api/types';
import { meQueryKey } from '../auth/hooks';
import { sourcesKeys } from '../sources/hooks';
import { membersQueryKey } from '../team/hooks';
import { type ImageType, imageBody } from '../team/images';

export type ProfileBody = components['schemas']['ProfileRequest'];

/** The server's limit on a display name, in characters. */
export const MAX_NAME_CHARS = 200;

/**
 * The name as the server will keep it (runs of spaces, tabs or line breaks become one space), or
 * why it would refuse it. Empty clears the name.
 */
export function checkName(raw: string): { name: string; error: string | null } {
  // U+0085 is white space to the server, not to \s.
  const name = raw.split(/[\s\u0085]+/).filter(Boolean).join(' ');
  if (/\p{Cc}/u.test(name)) return { name, error: 'Use letters, numbers, spaces and punctuation only.' };
  if ([...name].length > MAX_NAME_CHARS) return { name, error: `Use at most ${MAX_NAME_CHARS} characters.` };
  return { name, error: null };
}

function saveMe(queryClient: QueryClient, me: MeView) {
  queryClient.setQueryData<MeView>(meQueryKey, me);
  void queryClient.invalidateQueries({ queryKey: membersQueryKey });
  void queryClient.invalidateQueries({ queryKey: sourcesKeys.members });
}

export function useUpdateName() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: ProfileBody) => unwrap(api.PATCH('/auth/me', { body })),
    onSuccess: (me) => saveMe(queryClient, me),
  });
}

export function useUploadAvatar() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ file, type }: { file: Blob; type: ImageType }) => unwrap(api.PUT('/auth/me/avatar', imageBody(file, type))),
    onSuccess: (me) => saveMe(queryClient, me),
  });
}

export function useRemoveAvatar() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => unwrap(api.DELETE('/auth/me/avatar')),
    onSuccess: (me) => saveMe(queryClient, me),
  });
}
