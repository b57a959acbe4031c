import { loadAdapters, stackLine, type StackSource } from '@lgx/runtime';
import { instantiateAdapter } from '@lgx/core/host';
import { isLgxError, LgxValidationError } from '@lgx/core';
import { DEFAULT_STACK, loadStackFile } from '../context';
import { excerpt, EXIT, json, type Io } from '../output';
import { parse } from '../args';

export const validateHelp = `lgx validate [stack] [--json]

Checks a stack file without contacting any back office: the file against the stack schema (errors
name the key and the line), every route's adapters declared, every adapter package installed and
compatible with this @lgx/core, and every adapter's config against its schema. Exit 0 valid, 1 not.`;

/** Where in the file an issue is, for --json (editors) and for the excerpt under the problem. */
function whereIn(params: Record<string, unknown> | undefined): { line?: number; column?: number; text?: string; caret?: number } {
  const out: { line?: number; column?: number; text?: string; caret?: number } = {};
  if (typeof params?.line === 'number') out.line = params.line;
  if (typeof params?.column === 'number') out.column = params.column;
  if (typeof params?.text === 'string') out.text = params.text;
  if (typeof params?.caret === 'number') out.caret = params.caret;
  return out;
}

export async function validateCommand(argv: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(argv, {});
  if (values.help) return (io.out(validateHelp), EXIT.ok);
  const file = positionals[0] ?? DEFAULT_STACK;
  const problems: Array<{ code: string; path?: string; message: string; line?: number; column?: number; text?: string; caret?: number }> =
    [];
  // Issues beyond the first hundred of one error are counted, not listed.
  let unlisted = 0;
  const listIssues = (error: LgxValidationError, prefix: string, source?: StackSource) => {
    for (const issue of error.issues) {
      const path = `${prefix}${issue.path}`;
      // The stack's own issues carry their place; an adapter's config issues get it from the stack file.
      if (prefix === '') problems.push({ code: error.code, path, message: issue.message, ...whereIn(issue.params) });
      else {
        const line = stackLine(source, path);
        problems.push({ code: error.code, path, message: line === undefined ? issue.message : `${issue.message} (line ${line})` });
      }
    }
    unlisted += error.issueCount - error.issues.length;
  };
  let summary: { council: string; adapters: number; routes: number } | undefined;
  try {
    const { definition, resolveFrom } = await loadStackFile(file);
    const definitions = await loadAdapters(definition, { resolveFrom });
    for (const [id, adapter] of Object.entries(definitions)) {
      try {
        // Creating an instance checks the config; nothing is sent anywhere.
        const { instance } = await instantiateAdapter(adapter, definition.adapters[id]?.config, {
          council: definition.council,
          mappings: definition.mappings,
        });
        await instance.close?.();
      } catch (error) {
        if (error instanceof LgxValidationError) listIssues(error, `/adapters/${id}/config`, definition.source);
        else problems.push({ code: isLgxError(error) ? error.code : 'error', path: `/adapters/${id}`, message: (error as Error).message });
      }
    }
    summary = { council: definition.council, adapters: Object.keys(definition.adapters).length, routes: definition.routes.length };
  } catch (error) {
    if (error instanceof LgxValidationError) listIssues(error, '');
    else problems.push({ code: isLgxError(error) ? error.code : 'error', message: (error as Error).message });
  }
  if (values.json)
    io.out(json({ valid: problems.length === 0, file, ...(summary ?? {}), problems, problemCount: problems.length + unlisted }));
  else if (problems.length === 0)
    io.out(`${file}: valid (council ${summary!.council}, ${summary!.adapters} adapter(s), ${summary!.routes} route(s))`);
  else {
    io.err(`${file}: ${problems.length + unlisted} problem(s)`);
    for (const p of problems) {
      io.err(`  ${p.path ?? ''} ${p.message} [${p.code}]`.replace(/^ {2} /, '  '));
      for (const line of excerpt(p as Record<string, unknown>)) io.err(line);
    }
    if (unlisted > 0) io.err(`  ... and ${unlisted} more not listed`);
  }
  return problems.length === 0 ? EXIT.ok : EXIT.failed;
}
