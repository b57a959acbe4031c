// Links in Markdown files that ship in a tarball. A package's README is read on npm and in
// node_modules, where a relative link leads nowhere: every link must be absolute, and a link into this
// repository must name a file that exists.
import fs from 'node:fs';
import path from 'node:path';
import { repositoryWeb } from './metadata.mjs';
import { root } from './workspaces.mjs';

/** Link targets in Markdown (inline, reference definitions, HTML href/src), outside code. */
export function linkTargets(markdown) {
  const text = markdown.replace(/^(```|~~~)[^\n]*\n[\s\S]*?^\1[^\n]*$/gm, '').replace(/`[^`\n]*`/g, '');
  const targets = [];
  for (const m of text.matchAll(/\]\(\s*<?([^)\s>]+)>?(?:\s+["'(][^)]*)?\)/g)) targets.push(m[1]);
  for (const m of text.matchAll(/^ {0,3}\[[^\]]+\]:\s*<?([^\s>]+)>?/gm)) targets.push(m[1]);
  for (const m of text.matchAll(/\b(?:href|src)\s*=\s*["']([^"']+)["']/g)) targets.push(m[1]);
  return targets;
}

/** What is wrong with the links of one Markdown file: relative links, and repository links to nothing. */
export function linkProblems(markdown) {
  const problems = [];
  const ours = new RegExp(`^${repositoryWeb.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/(?:blob|tree)/main/([^#?]+)`);
  for (const target of linkTargets(markdown)) {
    if (target.startsWith('#')) continue;
    if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) {
      problems.push(`relative link ${target} (write it absolute: ${repositoryWeb}/blob/main/...)`);
      continue;
    }
    const inRepo = ours.exec(target);
    if (inRepo && !fs.existsSync(path.join(root, decodeURIComponent(inRepo[1]))))
      problems.push(`link ${target} names no file of the repository`);
  }
  return problems;
}
