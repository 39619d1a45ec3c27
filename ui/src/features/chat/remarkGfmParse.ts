/**
 * GFM (tables, strikethrough, task lists, autolinks, footnotes) for reading Markdown only. This
 * is what remark-gfm 4 registers, minus its Markdown *writer* extensions: react-markdown never
 * serializes, and the writer (mdast-util-to-markdown, markdown-table) is a fifth of the chat chunk.
 */
import { gfmFromMarkdown } from 'mdast-util-gfm';
import { gfm } from 'micromark-extension-gfm';
import type { Processor } from 'unified';

/** What remark-parse reads from the processor's data (its own typings augment unified's). */
interface ParserData {
  micromarkExtensions?: unknown[];
  fromMarkdownExtensions?: unknown[];
}

export default function remarkGfmParse(this: Processor) {
  const data = this.data() as ParserData;
  (data.micromarkExtensions ??= []).push(gfm());
  (data.fromMarkdownExtensions ??= []).push(gfmFromMarkdown());
}
