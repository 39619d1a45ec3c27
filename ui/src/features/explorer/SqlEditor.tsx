/**
 * The SQL editor: CodeMirror 6 with the PostgreSQL dialect, completion of the tables and
 * columns of `GET /api/schema`, and Ctrl/Cmd+Enter to run. Loaded lazily (it is most of the
 * explorer's weight): only `ExplorerPage` imports it, through `React.lazy`.
 *
 * Tab is left to the browser (moving focus on), so keyboard users are never trapped; the
 * content carries an aria-label and the description of the shortcut.
 */
import { autocompletion, closeBrackets, closeBracketsKeymap, completionKeymap, type CompletionContext, type CompletionResult } from '@codemirror/autocomplete';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { PostgreSQL, sql } from '@codemirror/lang-sql';
import { bracketMatching, defaultHighlightStyle, indentOnInput, syntaxHighlighting, syntaxTree } from '@codemirror/language';
import { Compartment, EditorState, Prec } from '@codemirror/state';
import {
  EditorView,
  drawSelection,
  highlightActiveLine,
  highlightSpecialChars,
  keymap,
  lineNumbers,
  placeholder as placeholderText,
} from '@codemirror/view';
import { type Ref, useEffect, useImperativeHandle, useRef } from 'react';
import { cx } from '../../lib/cx';
import { columnsInScope, completionSchema } from './completion';
import type { SchemaTable } from './hooks';
import { spacedInsert } from './insertion';

export interface SqlEditorHandle {
  /** Puts `text` at the cursor (replacing a selection), spaced from its neighbours, and focuses. */
  insert: (text: string) => void;
  focus: () => void;
}

export interface SqlEditorProps {
  value: string;
  onChange: (value: string) => void;
  /** Ctrl/Cmd+Enter. */
  onRun: () => void;
  tables: readonly SchemaTable[];
  /** The content's accessible name. */
  label: string;
  /** Id of the text describing the shortcut. */
  describedBy?: string;
  placeholder?: string;
  className?: string;
  ref?: Ref<SqlEditorHandle>;
}

const SKIP_NODES = new Set(['String', 'LineComment', 'BlockComment', 'QuotedIdentifier']);

/** Bare column names of the tables the query names (lang-sql completes only `table.column`). */
function columnSource(tables: () => readonly SchemaTable[]) {
  return (context: CompletionContext): CompletionResult | null => {
    const word = context.matchBefore(/[A-Za-z_][\w$]*/);
    if (!word && !context.explicit) return null;
    const from = word ? word.from : context.pos;
    if (from > 0 && context.state.sliceDoc(from - 1, from) === '.') return null;
    if (SKIP_NODES.has(syntaxTree(context.state).resolveInner(context.pos, -1).name)) return null;
    const options = columnsInScope(context.state.doc.toString(), tables());
    return options.length ? { from, options, validFor: /^[\w$]*$/ } : null;
  };
}

const theme = EditorView.theme({
  '&': { height: '100%', fontSize: '13px', backgroundColor: '#fff' },
  '&.cm-focused': { outline: 'none' },
  '.cm-scroller': { fontFamily: 'ui-monospace, SFMono-Regular, Menlo, Consolas, monospace', overflow: 'auto', lineHeight: '1.5' },
  '.cm-content': { padding: '8px 0' },
  '.cm-gutters': { backgroundColor: '#f8fafc', color: '#64748b', borderRight: '1px solid #e2e8f0' },
  '.cm-activeLine': { backgroundColor: '#f1f5f9' },
  '.cm-activeLineGutter': { backgroundColor: '#e2e8f0' },
  '.cm-placeholder': { color: '#475569' },
  '.cm-tooltip-autocomplete ul li[aria-selected]': { backgroundColor: '#4f46e5', color: '#fff' },
});

function contentAttributes(label: string, describedBy: string | undefined) {
  return EditorView.contentAttributes.of({ 'aria-label': label, ...(describedBy ? { 'aria-describedby': describedBy } : {}) });
}

function language(tables: readonly SchemaTable[]) {
  return sql({ dialect: PostgreSQL, schema: completionSchema(tables), upperCaseKeywords: true });
}

export default function SqlEditor({ value, onChange, onRun, tables, label, describedBy, placeholder, className, ref }: SqlEditorProps) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<EditorView | null>(null);
  const callbacks = useRef({ onChange, onRun });
  callbacks.current = { onChange, onRun };
  const tablesRef = useRef(tables);
  tablesRef.current = tables;
  const compartments = useRef({ language: new Compartment(), attributes: new Compartment() });
  const initial = useRef({ value, tables, label, describedBy, placeholder });

  useEffect(() => {
    const { language: languageSlot, attributes } = compartments.current;
    const start = initial.current;
    const editor = new EditorView({
      parent: host.current!,
      state: EditorState.create({
        doc: start.value,
        extensions: [
          Prec.highest(
            keymap.of([
              {
                key: 'Mod-Enter',
                preventDefault: true,
                run: () => {
                  callbacks.current.onRun();
                  return true;
                },
              },
            ]),
          ),
          lineNumbers(),
          highlightSpecialChars(),
          history(),
          drawSelection(),
          indentOnInput(),
          syntaxHighlighting(defaultHighlightStyle, { fallback: true }),
          bracketMatching(),
          closeBrackets(),
          autocompletion({ icons: false }),
          highlightActiveLine(),
          keymap.of([...closeBracketsKeymap, ...defaultKeymap, ...historyKeymap, ...completionKeymap]),
          EditorView.lineWrapping,
          languageSlot.of(language(start.tables)),
          PostgreSQL.language.data.of({ autocomplete: columnSource(() => tablesRef.current) }),
          attributes.of(contentAttributes(start.label, start.describedBy)),
          start.placeholder ? placeholderText(start.placeholder) : [],
          theme,
          EditorView.updateListener.of((update) => {
            if (update.docChanged) callbacks.current.onChange(update.state.doc.toString());
          }),
        ],
      }),
    });
    view.current = editor;
    return () => {
      editor.destroy();
      view.current = null;
    };
  }, []);

  // The text changed outside the editor (another page handed a query over, a reset).
  useEffect(() => {
    const editor = view.current;
    if (!editor) return;
    const current = editor.state.doc.toString();
    if (current !== value) editor.dispatch({ changes: { from: 0, to: current.length, insert: value } });
  }, [value]);

  useEffect(() => {
    view.current?.dispatch({ effects: compartments.current.language.reconfigure(language(tables)) });
  }, [tables]);

  useEffect(() => {
    view.current?.dispatch({ effects: compartments.current.attributes.reconfigure(contentAttributes(label, describedBy)) });
  }, [label, describedBy]);

  useImperativeHandle(
    ref,
    () => ({
      insert: (text: string) => {
        const editor = view.current;
        if (!editor) return;
        const { from, to } = editor.state.selection.main;
        const before = editor.state.sliceDoc(Math.max(0, from - 1), from);
        const after = editor.state.sliceDoc(to, to + 1);
        const insert = spacedInsert(text, before, after);
        editor.dispatch({
          changes: { from, to, insert },
          selection: { anchor: from + insert.length },
          scrollIntoView: true,
          userEvent: 'input',
        });
        editor.focus();
      },
      focus: () => view.current?.focus(),
    }),
    [],
  );

  return <div ref={host} className={cx('h-full min-h-0 overflow-hidden', className)} />;
}
