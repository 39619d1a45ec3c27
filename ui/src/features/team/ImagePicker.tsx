import type { UseMutationResult } from '@tanstack/react-query';
import { ImageUp, Trash2 } from 'lucide-react';
import { type ChangeEvent, type ReactNode, useEffect, useId, useRef, useState } from 'react';
import { toast } from 'sonner';
import { Alert, ErrorAlert } from '../../components/Alert';
import { Button } from '../../components/Button';
import { cx } from '../../lib/cx';
import { IMAGE_ACCEPT, IMAGE_RULES, type ImageType, UPLOAD_ERRORS, checkImage } from './images';

export type UploadImage = UseMutationResult<unknown, Error, { file: Blob; type: ImageType }>;
export type RemoveImage = UseMutationResult<unknown, Error, void>;

interface Chosen {
  file: File;
  type: ImageType;
  /** An object URL for the preview (none where the browser cannot make one). */
  url: string | null;
}

function previewUrl(file: File): string | null {
  return typeof URL.createObjectURL === 'function' ? URL.createObjectURL(file) : null;
}

export interface ImagePickerProps {
  /** "picture", "logo": the words of the buttons and messages. */
  noun: string;
  /** Whether an image is set now (offers Replace and Remove instead of Upload). */
  hasImage: boolean;
  /** The image as it is now, shown until a new one is chosen; none when it shows elsewhere. */
  current?: ReactNode;
  /** The preview's shape, like the image where it is shown. */
  shape?: 'circle' | 'square';
  upload: UploadImage;
  remove: RemoveImage;
  /** Sentences for codes that mean something specific here (a 403 for a logo). */
  errorOverrides?: Partial<Record<string, string>>;
  /** Toasts once the server kept the change. */
  uploaded: string;
  removed: string;
  className?: string;
}

/**
 * Choosing an image to upload: the file is checked here first (type, size), then previewed, and
 * sent only once saved. The server checks the bytes again and its refusal is shown.
 */
export function ImagePicker({
  noun,
  hasImage,
  current,
  shape = 'square',
  upload,
  remove,
  errorOverrides,
  uploaded,
  removed,
  className,
}: ImagePickerProps) {
  const id = useId();
  const input = useRef<HTMLInputElement>(null);
  const [chosen, setChosen] = useState<Chosen | null>(null);
  const [problem, setProblem] = useState<string | null>(null);
  const busy = upload.isPending || remove.isPending;
  const failed = upload.error ?? remove.error;

  // The preview's object URL lives as long as it is shown.
  const url = chosen?.url ?? null;
  useEffect(() => () => {
    if (url) URL.revokeObjectURL(url);
  }, [url]);

  const reset = () => {
    setChosen(null);
    setProblem(null);
    upload.reset();
    remove.reset();
  };

  const pick = (event: ChangeEvent<HTMLInputElement>) => {
    const file = event.target.files?.[0];
    // The same file may be chosen again after a cancel.
    event.target.value = '';
    if (!file) return;
    reset();
    const check = checkImage(file);
    if (!check.ok) {
      setProblem(check.message);
      return;
    }
    setChosen({ file, type: check.type, url: previewUrl(file) });
  };

  const save = () => {
    if (!chosen) return;
    upload.mutate(
      { file: chosen.file, type: chosen.type },
      {
        onSuccess: () => {
          setChosen(null);
          toast.success(uploaded);
        },
      },
    );
  };

  const clear = () => {
    reset();
    remove.mutate(undefined, { onSuccess: () => toast.success(removed) });
  };

  const round = shape === 'circle' ? 'rounded-full' : 'rounded-lg';
  const shown = chosen ? (
    chosen.url ? (
      <img src={chosen.url} alt={`Preview of the new ${noun}`} className={cx('size-16 shrink-0 bg-slate-100 object-cover', round)} />
    ) : null
  ) : (
    current
  );

  return (
    <div className={cx('space-y-3', className)}>
      <div className="flex flex-wrap items-center gap-4">
        {shown}
        <div className="min-w-0 space-y-2">
          <div className="flex flex-wrap gap-2">
            {chosen ? (
              <>
                <Button busy={upload.isPending} onClick={save}>
                  {upload.isPending ? 'Uploading…' : `Save ${noun}`}
                </Button>
                <Button variant="secondary" disabled={upload.isPending} onClick={reset}>
                  Cancel
                </Button>
              </>
            ) : (
              <>
                <Button variant="secondary" disabled={busy} onClick={() => input.current?.click()}>
                  <ImageUp className="size-4" aria-hidden="true" />
                  {hasImage ? `Replace ${noun}` : `Upload a ${noun}`}
                </Button>
                {hasImage && (
                  <Button variant="ghost" className="text-rose-800 hover:bg-rose-50" busy={remove.isPending} onClick={clear}>
                    {!remove.isPending && <Trash2 className="size-4" aria-hidden="true" />}
                    {remove.isPending ? 'Removing…' : `Remove ${noun}`}
                  </Button>
                )}
              </>
            )}
          </div>
          <p id={`${id}-rules`} className="text-xs text-slate-600">
            {chosen ? `${chosen.file.name || 'The chosen image'}: not saved yet.` : IMAGE_RULES}
          </p>
        </div>
      </div>
      {/* Opened by the button above; labelled for assistive technology that reaches it anyway. */}
      <input
        ref={input}
        type="file"
        accept={IMAGE_ACCEPT}
        aria-label={`Choose a ${noun} file`}
        aria-describedby={`${id}-rules`}
        tabIndex={-1}
        className="sr-only"
        onChange={pick}
      />
      {problem && <Alert title={problem} />}
      {failed && <ErrorAlert error={failed} overrides={{ ...UPLOAD_ERRORS, ...errorOverrides }} />}
    </div>
  );
}
