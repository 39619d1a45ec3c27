/** The explorer with the real CodeMirror editor (the other page tests use a textarea). */
import { EditorView } from '@codemirror/view';
import { act, fireEvent, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { expectAccessible } from '../../test/axe';
import { explorer } from './testPage';

// jsdom has no layout: CodeMirror measures text ranges to draw the cursor and selection.
const emptyRects = Object.assign([], { item: () => null }) as unknown as DOMRectList;
Range.prototype.getClientRects ??= () => emptyRects;
Range.prototype.getBoundingClientRect ??= () => new DOMRect();

const content = () => screen.findByRole('textbox', { name: 'SQL query' }, { timeout: 5000 });

describe('SQL explorer with CodeMirror', () => {
  it('loads the editor lazily, labelled, and passes axe', async () => {
    explorer({ sql: 'SELECT * FROM deals' });
    const editor = await content();
    expect(editor).toHaveAttribute('contenteditable', 'true');
    expect(editor).toHaveAccessibleDescription(/Ctrl\+Enter in the editor to run/);
    expect(EditorView.findFromDOM(editor)!.state.doc.toString()).toBe('SELECT * FROM deals');
    await screen.findByRole('button', { name: 'Insert deals' });
    await expectAccessible();
  });

  it('inserts schema names at the cursor and runs the text with Ctrl+Enter', async () => {
    const { api } = explorer({ sql: 'SELECT  FROM ' });
    const editor = await content();
    const view = EditorView.findFromDOM(editor)!;
    act(() => view.dispatch({ selection: { anchor: 'SELECT '.length } }));
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Columns of deals' }));
    await user.click(within(screen.getByRole('list', { name: 'Columns of deals' })).getByRole('button', { name: 'Insert amount' }));
    act(() => view.dispatch({ selection: { anchor: view.state.doc.length } }));
    await user.click(screen.getByRole('button', { name: 'Insert deals' }));
    expect(view.state.doc.toString()).toBe('SELECT amount FROM deals');
    expect(view.hasFocus || document.activeElement === editor).toBe(true);

    fireEvent.keyDown(editor, { key: 'Enter', code: 'Enter', keyCode: 13, ctrlKey: true });
    await waitFor(() => expect(api.callsTo('POST', '/api/query').map((c) => c.body)).toEqual([{ sql: 'SELECT amount FROM deals' }]));
    expect(await screen.findByRole('table', { name: 'Query results' })).toBeInTheDocument();
  });

  it('puts a query handed over in router state into CodeMirror', async () => {
    explorer({ state: { sql: 'SELECT 42' } });
    const editor = await content();
    await waitFor(() => expect(EditorView.findFromDOM(editor)!.state.doc.toString()).toBe('SELECT 42'));
  });
});
