import { escapeXml } from '@lgx/core';

describe('escapeXml', () => {
  it('escapes the five predefined entities, so text can stand in an element or either kind of attribute', () => {
    expect(escapeXml(`<b class="x">Tom & Jerry's</b>`)).toBe('&lt;b class=&quot;x&quot;&gt;Tom &amp; Jerry&apos;s&lt;/b&gt;');
    // Escaping is not undone or doubled by accident: an entity in the input is text, escaped once.
    expect(escapeXml('&amp;')).toBe('&amp;amp;');
  });

  it('drops the characters XML 1.0 cannot carry and keeps every other one', () => {
    expect(escapeXml('bin\u0000 by\u0008 the\u001f gate\ufffe\uffff')).toBe('bin by the gate');
    expect(escapeXml('line one\n\tline two\r\nFfordd Pen-y-Bryn, Llanelli – £5 🚮')).toBe(
      'line one\n\tline two\r\nFfordd Pen-y-Bryn, Llanelli – £5 🚮',
    );
  });
});
