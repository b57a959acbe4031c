import { LgxValidationError, type ValidationIssue } from '@lgx/core';
import { parseStackYaml } from '../src/stack/yaml-source';

/** The one issue a broken stack text gives: message, and the line as shown with its caret. */
function problem(lines: string[]): { message: string; shown: string } {
  try {
    parseStackYaml(`${lines.join('\n')}\n`, 'stack');
  } catch (error) {
    expect(error).toBeInstanceOf(LgxValidationError);
    const issues = (error as LgxValidationError).issues as ValidationIssue[];
    expect(issues).toHaveLength(1);
    const { message, params } = issues[0]!;
    return { message, shown: `${String(params?.text)}\n${' '.repeat(Number(params?.caret) - 1)}^` };
  }
  throw new Error('expected a syntax error');
}

describe('YAML syntax errors in a stack file', () => {
  it.each([
    [
      'a tab in the indentation',
      ['council: E07000223', 'adapters:', '\twaste:', "    package: '@lgx/adapter-template'"],
      'is indented with a tab: YAML indents with spaces only (line 3, column 1)',
      '\twaste:\n^',
    ],
    [
      'a key without its colon',
      ['council: E07000223', 'adapters', '  waste:', "    package: '@lgx/adapter-template'"],
      "'adapters' has no ':' after it: write adapters: (line 2, column 1)",
      'adapters\n^',
    ],
    [
      'a key indented under a key that has a value',
      ['council: E07000223', '  adapters: {}'],
      "'adapters' is indented under 'council', which already has a value on line 1: line it up with 'council' (column 1) (line 2, column 3)",
      '  adapters: {}\n  ^',
    ],
    [
      'a key between two levels',
      [
        'adapters:',
        '  waste:',
        "    package: '@lgx/adapter-template'",
        '    config:',
        '      baseUrl: https://waste.example',
        '     apiKey: sk-live-1234',
      ],
      "'apiKey' starts in column 6, which lines it up with no key above it (the keys of one mapping start in the same column): move it to column 7 (like 'baseUrl' on line 5) or column 5 (like 'config' on line 4) (line 6, column 6)",
      '     apiKey: ***\n     ^',
    ],
    [
      'an unquoted reference inside braces',
      ['adapters:', '  waste:', '    config: { apiKey: ${env:WASTE_KEY}, baseUrl: https://waste.example }'],
      "a ${…} reference inside { } or [ ] must be in quotes: write '${env:NAME}' (line 3, column 23)",
      '    config: { apiKey: ${env:WASTE_KEY}, baseUrl: *** }\n                      ^',
    ],
    [
      'a second document',
      ['council: E07000223', '---', 'council: E08000025'],
      "starts a second YAML document ('---'): a stack file is one document (line 2, column 1)",
      '---\n^',
    ],
    [
      'an unclosed bracket',
      ['routes:', '  - { match: { type: street.report }, mode: one, targets: [potholes }'],
      'the [ opened here is never closed: end it with ] on the same line (line 2, column 59)',
      '  - { match: { type: street.report }, mode: one, targets: [potholes }\n                                                          ^',
    ],
  ])('%s', (_name, lines, message, shown) => {
    const found = problem(lines);
    expect(found).toEqual({ message, shown });
    expect(found.message).not.toMatch(/[A-Z]{3,}_[A-Z]+/);
  });

  it('never shows a comment or a config value from the broken line', () => {
    const found = problem(['adapters:', '  waste:', "    config: { apiKey: 'sk-live-9876 } # old key sk-live-1111"]);
    expect(found.shown).not.toMatch(/sk-live/);
  });
});
