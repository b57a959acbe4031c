// ESLint rules that keep the workspace packages apart, as they are once published: a file reaches
// another package only through its package name (and so through its exports), and names only
// packages its own package.json declares. A relative path into another package's src/ or test/ works
// in the repository and nowhere else, and hides a dependency the package graph does not show.
import fs from 'node:fs';
import { builtinModules } from 'node:module';
import path from 'node:path';

const root = path.resolve(import.meta.dirname, '..', '..');
const rootPackage = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));

/** Every workspace package's folder (absolute) and package.json. */
const packages = rootPackage.workspaces.flatMap((pattern) => {
  const base = path.join(root, pattern.replace(/\/\*$/, ''));
  if (!fs.existsSync(base)) return [];
  return fs
    .readdirSync(base)
    .map((name) => path.join(base, name))
    .filter((dir) => fs.existsSync(path.join(dir, 'package.json')))
    .map((dir) => ({ dir, pkg: JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8')) }));
});

/** The workspace package a file (or a path that may not exist) belongs to, if any. */
function owner(file) {
  return packages.find(({ dir }) => file === dir || file.startsWith(`${dir}${path.sep}`));
}

/** The module specifiers of a node, with the node to report: imports, re-exports, import(), require(). */
function specifierOf(node) {
  const literal = (n) => (n && n.type === 'Literal' && typeof n.value === 'string' ? n : undefined);
  switch (node.type) {
    case 'ImportDeclaration':
    case 'ExportAllDeclaration':
    case 'ExportNamedDeclaration':
    case 'ImportExpression':
      return literal(node.source);
    case 'TSExternalModuleReference':
      return literal(node.expression);
    case 'CallExpression': {
      const callee = node.callee;
      const named = (n, name) => n.type === 'Identifier' && n.name === name;
      const isRequire =
        named(callee, 'require') ||
        (callee.type === 'MemberExpression' &&
          named(callee.object, 'jest') &&
          ['mock', 'requireActual', 'requireMock'].some((m) => named(callee.property, m)));
      return isRequire ? literal(node.arguments[0]) : undefined;
    }
    default:
      return undefined;
  }
}

/** Calls `check(specifierNode)` for every module specifier in the file. */
function onSpecifiers(check) {
  const visit = (node) => {
    const source = specifierOf(node);
    if (source) check(source);
  };
  return {
    ImportDeclaration: visit,
    ExportAllDeclaration: visit,
    ExportNamedDeclaration: visit,
    ImportExpression: visit,
    TSExternalModuleReference: visit,
    CallExpression: visit,
  };
}

/** What to import instead of a file of another package: its `testing` entry, its main entry, or nothing it publishes. */
function instead(target, file) {
  const inside = path.relative(target.dir, file).split(path.sep);
  if (inside[0] === 'src' && inside[1] === 'testing') return `import '${target.pkg.name}/testing' instead`;
  if (inside[0] === 'src') return `import '${target.pkg.name}' instead`;
  return `${target.pkg.name} does not publish it: move what both need into one of its exports (test helpers into its 'testing' entry)`;
}

export const noImportIntoOtherPackage = {
  meta: {
    type: 'problem',
    docs: { description: "forbid relative imports into another workspace package's files (its src/ or test/)" },
    schema: [],
    messages: {
      intoOtherPackage: "'{{specifier}}' reaches into {{where}}, a file of {{name}}: {{instead}}, and declare {{name}} in package.json",
    },
  },
  create(context) {
    const filename = context.filename;
    const mine = owner(filename);
    return onSpecifiers((source) => {
      const specifier = source.value;
      if (!specifier.startsWith('.')) return;
      const resolved = path.resolve(path.dirname(filename), specifier);
      const target = owner(resolved);
      if (!target || target === mine) return;
      const where = path.relative(root, resolved).split(path.sep).join('/');
      context.report({
        node: source,
        messageId: 'intoOtherPackage',
        data: { specifier, where, name: target.pkg.name, instead: instead(target, resolved) },
      });
    });
  },
};

const builtins = new Set(builtinModules);

/** The package a bare specifier names: `@scope/name` or `name`. */
function packageName(specifier) {
  const parts = specifier.split('/');
  return specifier.startsWith('@') ? parts.slice(0, 2).join('/') : parts[0];
}

export const declaredDependencies = {
  meta: {
    type: 'problem',
    docs: { description: "forbid importing a package the file's own package.json does not declare" },
    schema: [],
    messages: {
      undeclared:
        "'{{name}}' is not declared in {{where}}/package.json: add it to dependencies, or to devDependencies when only tests use it",
    },
  },
  create(context) {
    const mine = owner(context.filename);
    if (!mine) return {};
    const { pkg } = mine;
    const declared = new Set([
      pkg.name,
      ...['dependencies', 'devDependencies', 'peerDependencies', 'optionalDependencies'].flatMap((field) => Object.keys(pkg[field] ?? {})),
    ]);
    const where = path.relative(root, mine.dir).split(path.sep).join('/');
    return onSpecifiers((source) => {
      const specifier = source.value;
      if (
        specifier.startsWith('.') ||
        specifier.startsWith('/') ||
        specifier.startsWith('node:') ||
        builtins.has(specifier) ||
        builtins.has(packageName(specifier))
      )
        return;
      const name = packageName(specifier);
      if (!declared.has(name)) context.report({ node: source, messageId: 'undeclared', data: { name, where } });
    });
  },
};

/** The rules as an ESLint plugin. */
export const packageBoundaries = {
  meta: { name: 'lgx-package-boundaries' },
  rules: { 'no-import-into-other-package': noImportIntoOtherPackage, 'declared-dependencies': declaredDependencies },
};
