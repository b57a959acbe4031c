import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import nunjucks from 'nunjucks';

/** The console's own templates: beside the sources in the repository, beside dist/ when installed. */
function templatesDir(): string {
  const candidates = [path.resolve(__dirname, '../console'), path.resolve(__dirname, '../../console')];
  const found = candidates.find((dir) => existsSync(path.join(dir, 'layout.njk')));
  if (!found) throw new Error(`the console templates are missing (looked in ${candidates.join(', ')})`);
  return found;
}

/** govuk-frontend's dist folder, which holds `govuk/components/.../macro.njk` and the compiled CSS. */
export function govukDir(): string {
  return path.join(path.dirname(createRequire(__filename).resolve('govuk-frontend/package.json')), 'dist');
}

export interface ConsoleViews {
  render(template: string, model: Record<string, unknown>): string;
  /** The stylesheets under /console/assets, by file name. */
  readonly assets: ReadonlyMap<string, string>;
}

/**
 * The GOV.UK Design System's stylesheet as the console serves it. Its @font-face rules are dropped:
 * the GDS Transport typeface is licensed for GOV.UK only, so a council's console falls back to the
 * stack's next font (Arial), as the Design System advises for services off GOV.UK.
 */
function govukStylesheet(): string {
  return readFileSync(path.join(govukDir(), 'govuk', 'govuk-frontend.min.css'), 'utf8')
    .replace(/@font-face\{[^}]*\}/g, '')
    .replace(/\/\*# sourceMappingURL=[^*]*\*\//g, '');
}

export function createConsoleViews(): ConsoleViews {
  const dir = templatesDir();
  const env = new nunjucks.Environment(new nunjucks.FileSystemLoader([dir, govukDir()], { noCache: false }), {
    autoescape: true,
    throwOnUndefined: false,
  });
  env.addFilter('number', (n: unknown) => (typeof n === 'number' ? n.toLocaleString('en-GB') : n));
  env.addFilter('json', (v: unknown) => JSON.stringify(v, null, 2));
  const assets = new Map([
    ['govuk-frontend.min.css', govukStylesheet()],
    ['console.css', readFileSync(path.join(dir, 'console.css'), 'utf8')],
  ]);
  return {
    render: (template, model) => env.render(template, model),
    assets,
  };
}
