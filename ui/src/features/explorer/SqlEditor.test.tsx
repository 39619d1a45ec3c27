import { CompletionContext, type CompletionResult, type CompletionSource } from '@codemirror/autocomplete';
import { EditorView } from '@codemirror/view';
import { act, fireEvent, render, screen } from '@testing-library/react';
import { createRef } from 'react';
import { describe, expect, it, vi } from 'vitest';
import { expectAccessible } from '../../test/axe';
import { TABLES } from './fixtures';
import SqlEditor, { type SqlEditorHandle } from './SqlEditor';

// jsdom has no layout: CodeMirror measures text ranges to draw the cursor and selection.
const emptyRects = Object.assign([], { item: () => null }) as unknown as DOMRectList;
Range.prototype.getClientRects ??= () => emptyRects;
Range.prototype.getBoundingClientRect ??= () => new DOMRect();

function setup(value = 'SELECT 1') {
  const onChange = vi.fn();
  const onRun = vi.fn();
  const ref = createRef<SqlEditorHandle>();
  const view = render(
    <>
      <p id="hint">Press Ctrl+Enter to run.</p>
      <SqlEditor ref={ref} value={value} onChange={onChange} onRun={onRun} tables={TABLES} label="SQL query" describedBy="hint" />
    </>,
  );
  const content = screen.getByRole('textbox', { name: 'SQL query' });
  const editor = EditorView.findFromDOM(content)!;
  return { ...view, onChange, onRun, ref, content, editor };
}

async function complete(editor: EditorView, doc: string, pos = doc.length): Promise<string[]> {
  act(() => editor.dispatch({ changes: { from: 0, to: editor.state.doc.length, insert: doc }, selection: { anchor: pos } }));
  const context = new CompletionContext(editor.state, pos, true);
  const sources = editor.state.languageDataAt<CompletionSource>('autocomplete', pos);
  const results = await Promise.all(sources.map((source) => source(context)));
  return results.filter((r): r is CompletionResult => r !== null).flatMap((r) => r.options.map((o) => o.label));
}

describe('SqlEditor (CodeMirror)', () => {
  it('labels its content, describes the shortcut and shows the value', async () => {
    const { content, editor } = setup('SELECT * FROM deals');
    expect(content).toHaveAttribute('aria-describedby', 'hint');
    expect(content).toHaveAccessibleDescription('Press Ctrl+Enter to run.');
    expect(editor.state.doc.toString()).toBe('SELECT * FROM deals');
    await expectAccessible();
  });

  it('runs on Ctrl+Enter without inserting a line', () => {
    const { content, onRun, editor } = setup();
    fireEvent.keyDown(content, { key: 'Enter', code: 'Enter', keyCode: 13, ctrlKey: true });
    expect(onRun).toHaveBeenCalledTimes(1);
    expect(editor.state.doc.toString()).toBe('SELECT 1');
  });

  it('reports edits, follows a new value from outside, and inserts at the cursor', () => {
    const { onChange, editor, ref, rerender, onRun } = setup('SELECT  FROM deals');
    act(() => editor.dispatch({ changes: { from: 7, insert: 'x' } }));
    expect(onChange).toHaveBeenLastCalledWith('SELECT x FROM deals');

    rerender(
      <>
        <p id="hint">Press Ctrl+Enter to run.</p>
        <SqlEditor ref={ref} value="SELECT 2" onChange={onChange} onRun={onRun} tables={TABLES} label="SQL query" describedBy="hint" />
      </>,
    );
    expect(editor.state.doc.toString()).toBe('SELECT 2');

    act(() => editor.dispatch({ selection: { anchor: 'SELECT 2'.length } }));
    act(() => ref.current!.insert('amount'));
    expect(editor.state.doc.toString()).toBe('SELECT 2 amount');
    expect(onChange).toHaveBeenLastCalledWith('SELECT 2 amount');
  });

  it('completes tables, table.column, and the bare columns of tables in the query', async () => {
    const { editor } = setup('');
    expect(await complete(editor, 'SELECT * FROM de')).toEqual(expect.arrayContaining(['deals', 'accounts']));
    expect(await complete(editor, 'SELECT deals. FROM deals', 'SELECT deals.'.length)).toEqual(
      expect.arrayContaining(['amount', 'stage', 'close_date']),
    );
    const bare = await complete(editor, 'SELECT am FROM deals', 'SELECT am'.length);
    expect(bare).toEqual(expect.arrayContaining(['amount', 'stage']));
    expect(bare).not.toContain('annual_revenue');
    // Keywords come from the PostgreSQL dialect.
    expect(await complete(editor, 'SEL')).toContain('SELECT');
  });
});
