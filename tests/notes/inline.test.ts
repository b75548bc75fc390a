/**
 * A note's inline Markdown, written out with hast-util-to-html as the figure will: code spans, emphasis, strong,
 * safe links; everything else escaped text.
 */
import { toHtml } from 'hast-util-to-html';
import { describe, expect, it } from 'vitest';
import { isSafeUrl, noteText, noteToHast } from '../../plugin/src/notes/index.ts';

const html = (markdown: string) => toHtml({ type: 'root', children: noteToHast(markdown) });

describe('noteToHast', () => {
  it('renders code spans, emphasis, strong and links', () => {
    expect(html('`b` points at *the same* object, **not** a [copy](../names-and-aliasing/).')).toBe(
      '<code>b</code> points at <em>the same</em> object, <strong>not</strong> a <a href="../names-and-aliasing/">copy</a>.',
    );
    expect(html('_one_ and __two__ and *a **nested** one*')).toBe(
      '<em>one</em> and <strong>two</strong> and <em>a <strong>nested</strong> one</em>',
    );
  });

  it('escapes HTML: a <script> in a note is text', () => {
    expect(html('<script>alert(1)</script> & <b>bold</b>')).toBe(
      '&#x3C;script>alert(1)&#x3C;/script> &#x26; &#x3C;b>bold&#x3C;/b>',
    );
  });

  it('keeps a code span literal: no emphasis, no HTML inside it', () => {
    expect(html('`*args` and `<br>`')).toBe('<code>*args</code> and <code>&#x3C;br></code>');
  });

  it('shows an unclosed backtick, star or bracket as itself', () => {
    expect(html('a `b and *c and [d](e')).toBe('a `b and *c and [d](e');
    expect(html('2 * 3 * 4 and snake_case_name')).toBe('2 * 3 * 4 and snake_case_name');
  });

  it('matches a code span only with a run of as many backticks', () => {
    expect(html('``a ` b`` then ```x`` y')).toBe('<code>a ` b</code> then ```x`` y');
  });

  it('shows a link to javascript:, data: or with control characters as its text only', () => {
    for (const url of [
      'javascript:alert(1)',
      'JavaScript:alert(1)',
      'data:text/html,<b>x</b>',
      'vbscript:x',
      'mailto:a@b.c',
    ]) {
      expect(html(`[click](${url})`)).toBe('click');
    }
    expect(isSafeUrl('java\tscript:alert(1)')).toBe(false);
    expect(isSafeUrl('https://example.com/a_(b)')).toBe(true);
    expect(html('[wiki](https://en.wikipedia.org/wiki/Stack_(abstract_data_type))')).toBe(
      '<a href="https://en.wikipedia.org/wiki/Stack_(abstract_data_type)">wiki</a>',
    );
  });

  it('keeps a backslash-escaped character literal', () => {
    expect(html('\\*not emphasis\\* and \\[not a selector]')).toBe('*not emphasis* and [not a selector]');
  });
});

describe('noteText', () => {
  it('gives the words without the Markdown', () => {
    expect(noteText('`b` points at *the same* object: [see](https://python.org) <here>')).toBe(
      'b points at the same object: see <here>',
    );
  });
});
