import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { createTransaction } from '@lgx/core';
import { COUNCIL, startHarness, type Harness } from './helpers/gateway-harness';

const REPO_ROOT = path.resolve(__dirname, '..', '..', '..');

/** Every document that tells people about the gateway's own paths (vendor APIs live in adapter READMEs). */
function documents(): string[] {
  const docs = (dir: string): string[] =>
    readdirSync(path.join(REPO_ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
      const rel = path.join(dir, entry.name);
      if (entry.isDirectory()) return rel === path.join('docs', 'schemas') ? [] : docs(rel);
      return entry.name.endsWith('.md') ? [rel] : [];
    });
  return [
    ...docs('docs'),
    'README.md',
    'examples/README.md',
    'packages/gateway/README.md',
    'packages/cli/README.md',
    'packages/runtime/README.md',
  ];
}

interface Named {
  doc: string;
  /** Undefined where the docs name the path alone (a vendor's webhook target, a curl -X POST line). */
  method?: 'GET' | 'POST';
  path: string;
}

const HOSTS = String.raw`https?://(?:lgx\.example\.gov\.uk|127\.0\.0\.1:8080)|<gateway>`;
/** `GET /v1/…`, `https://lgx.example.gov.uk/metrics`, a bare `/ready` in code: a gateway path as the docs name it. */
const PATH = new RegExp(
  String.raw`(?:\b(GET|POST)\s+)?(?:${HOSTS}|(?<=[\x60\s(]))(/(?:v1/|ready\b|live\b|metrics\b|openapi\.json|open311/v2)(?:<[^>\n]+>|[^\s\x60'"),|<\\\]])*)`,
  'g',
);
/** The Open311 guide's curl lines: `curl -X POST "$GW/requests.xml"`, GW being the facade's base. */
const CURL = /curl (?:-X (POST) )?"\$GW(\/[^"]*)"/g;
/** The Open311 guide's table of resources under the facade's base: `| GET | \`services.{fmt}\` |`. */
const TABLE_ROW = /^\| (GET|POST) \| `([a-z][^`]*)` \|/gm;

function namedPaths(): Named[] {
  const named: Named[] = [];
  for (const doc of documents()) {
    const text = readFileSync(path.join(REPO_ROOT, doc), 'utf8');
    for (const m of text.matchAll(PATH)) named.push({ doc, ...(m[1] ? { method: m[1] as 'GET' | 'POST' } : {}), path: m[2]! });
    for (const m of text.matchAll(CURL)) named.push({ doc, method: (m[1] as 'POST' | undefined) ?? 'GET', path: `/open311/v2${m[2]!}` });
    if (text.includes('<gateway>/open311/v2/'))
      for (const m of text.matchAll(TABLE_ROW)) named.push({ doc, method: m[1] as 'GET' | 'POST', path: `/open311/v2/${m[2]!}` });
  }
  return named;
}

/** A documented path made requestable: placeholders filled with things that exist in the harness. */
function concrete(documented: string, id: string, key: string): string {
  let p = documented.replace(/…/g, '');
  // The facade's base names no resource: its discovery document stands for it.
  if (/^\/open311\/v2\/?$/.test(p)) p = '/open311/v2/discovery.json';
  return p
    .replace('/v1/queries/:type', '/v1/queries/waste.collectionSchedule')
    .replace(':type', 'street.report')
    .replace(/<id>|:id|\$ID|\{service_request_id\}|\{token\}/g, id)
    .replace(/<adapter id>|:adapter/g, 'waste')
    .replace('{service_code}', 'POT')
    .replace('{fmt}', 'json')
    .replace(/\$KEY/g, key);
}

let h: Harness;
let admin: string;
let id: string;
beforeAll(async () => {
  h = await startHarness();
  admin = await h.key(['admin']);
  // A transaction for the paths that name one.
  id = (
    await h.stack.submit(
      createTransaction('street.report', { kind: 'pothole', description: 'Pothole', location: { usrn: '8400709' } }, { council: COUNCIL }),
    )
  ).id;
});
afterAll(() => h.close());

describe('every gateway path the docs name', () => {
  const named = namedPaths();

  it('is found in the docs (the extraction itself works)', () => {
    const paths = new Set(named.map((n) => n.path));
    for (const expected of ['/v1/transactions', '/v1/health/live', '/metrics', '/openapi.json', '/v1/callbacks/payments'])
      expect(paths).toContain(expected);
    expect(named.filter((n) => n.path.startsWith('/open311/v2/')).length).toBeGreaterThan(10);
  });

  it('answers on a running gateway: none is a "no route" 404', async () => {
    const unanswered: string[] = [];
    for (const { doc, method, path: documented } of named) {
      const url = `${h.url}${concrete(documented, id, admin)}`;
      // A path named without its method answers if it answers GET or POST.
      const outcomes = await Promise.all(
        (method ? [method] : (['GET', 'POST'] as const)).map(async (m) => {
          const res = await fetch(url, {
            method: m,
            headers: { authorization: `Bearer ${admin}`, ...(m === 'POST' ? { 'content-type': 'application/json' } : {}) },
            ...(m === 'POST' ? { body: '{}' } : {}),
          });
          const body = await res.text();
          return {
            m,
            status: res.status,
            answered: !(res.status === 404 && /no route |no such Open311 resource/.test(body)) && res.status < 500,
          };
        }),
      );
      if (!outcomes.some((o) => o.answered))
        unanswered.push(`${doc}: ${outcomes.map((o) => `${o.m} ${documented} -> ${o.status}`).join(', ')}`);
    }
    expect(unanswered).toEqual([]);
  });
});
