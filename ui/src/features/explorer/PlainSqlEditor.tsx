import { Component, type ReactNode, useImperativeHandle, useRef } from 'react';
import type { SqlEditorProps } from './SqlEditor';
import { spacedInsert } from './insertion';

/**
 * A plain textarea with the editor's props and handle, for when CodeMirror's chunk cannot load
 * (offline, or a new version was deployed meanwhile): the explorer keeps working, without
 * highlighting or completion.
 */
export function PlainSqlEditor({ value, onChange, onRun, label, describedBy, placeholder, ref }: SqlEditorProps) {
  const area = useRef<HTMLTextAreaElement>(null);
  useImperativeHandle(
    ref,
    () => ({
      insert: (text: string) => {
        const el = area.current;
        if (!el) return;
        const { selectionStart: from, selectionEnd: to } = el;
        const insert = spacedInsert(text, el.value.slice(Math.max(0, from - 1), from), el.value.slice(to, to + 1));
        onChange(el.value.slice(0, from) + insert + el.value.slice(to));
        el.focus();
        requestAnimationFrame(() => el.setSelectionRange(from + insert.length, from + insert.length));
      },
      focus: () => area.current?.focus(),
    }),
    [onChange],
  );
  return (
    <textarea
      ref={area}
      aria-label={label}
      aria-describedby={describedBy}
      placeholder={placeholder}
      value={value}
      spellCheck={false}
      onChange={(event) => onChange(event.target.value)}
      onKeyDown={(event) => {
        if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
          event.preventDefault();
          onRun();
        }
      }}
      className="block h-full w-full resize-none border-0 p-3 font-mono text-[13px] text-slate-900 outline-none placeholder:text-slate-500"
    />
  );
}

/** Shows `fallback` instead of the editor when loading or starting it failed. */
export class EditorBoundary extends Component<{ fallback: ReactNode; children: ReactNode }, { failed: boolean }> {
  state = { failed: false };

  static getDerivedStateFromError() {
    return { failed: true };
  }

  componentDidCatch(error: unknown) {
    console.warn('The SQL editor could not load; using a plain text area', error);
  }

  render() {
    return this.state.failed ? this.props.fallback : this.props.children;
  }
}
