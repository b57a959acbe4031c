/**
 * A simulator of the Alloy API (v2) on 127.0.0.1, modelled on what public integrations send and read
 * (mysociety/open311-adapter `perllib/Integrations/AlloyV2.pm` and its fixtures): the API key as a
 * Bearer token or `?token=`; `POST item` checked against the customer's designs (attribute codes,
 * required attributes, types, GeoJSON geometry, links to option items that exist, uploaded files);
 * `GET item/{id}`, `GET item/{id}/parents`; `PUT item/{id}` with the item's signature, answering
 * `ItemSignatureMismatch` to a stale one; AQS `query` (paged) and `statistics` (Count), with
 * `Attribute = String` looked up in an index and `lastEditDate` windows; `item-log/item/{id}`;
 * `design/{code}`; `POST file`. Errors carry Alloy's body (`errorCode`, `errorCodeString`,
 * `debugErrorMessage`). Alloy's rate limits are not published: an optional limit answers 429 with
 * Retry-After. Its HTTP statuses per error are not published either: this simulator's choices are
 * listed in the adapter's README.
 */
import { reply, startRestSimulator, type RestRequest, type RestResponse, type RestSimulator } from '@lgx/testkit';
import { EXAMPLE_DESIGNS, EXAMPLE_OPTIONS, type ExampleDesign, type ExampleOption } from '../example-designs';
import { AqsError, compileFilter, indexedEquality, type AqsInput } from './aqs-evaluator';
import { AlloyRefusal, checkAttributes, indexKey, itemResource, newId, type SimulatedItem } from './simulated-items';

/** The API key the simulator accepts unless another is given. */
export const ALLOY_SIMULATOR_API_KEY = 'alloy-simulator-key-0000000000000000';

export interface AlloySimulatorState {
  /** Items created through the API or by simulated officers (option items are apart, in `options`). */
  items: Map<string, SimulatedItem>;
  /** attribute code + text value -> item ids, for `Attribute = String` queries. */
  index: Map<string, Set<string>>;
  files: Map<string, { fileItemId: string; filename: string; contentType: string; size: number }>;
  /** Requests in the current one-second window, for the optional rate limit. */
  window: { start: number; count: number };
}

export interface AlloySimulatorOptions {
  /** The API key to accept (default ALLOY_SIMULATOR_API_KEY). */
  apiKey?: string;
  /** The customer's designs (default: the example customer of `@lgx/adapter-alloy`). */
  designs?: readonly ExampleDesign[];
  /** The option items those designs link to (default: the example customer's). */
  options?: readonly ExampleOption[];
  /** Requests a second before 429 TooManyRequests (default: no limit). */
  requestsPerSecond?: number | null;
  /** Retry-After seconds sent with a 429 (default 1). */
  retryAfterSeconds?: number;
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Folder to keep the items and their logs in (`alloy.json`), so a restart still finds what it held. Default: memory only. */
  stateDir?: string;
}

export interface AlloySimulator extends RestSimulator<AlloySimulatorState> {
  /** The API base to configure the adapter with: `<url>/api/`. */
  apiUrl: string;
  /** The key currently accepted. */
  apiKey: string;
  /** Accepts another key from now on (the old one is refused with 401): a key rotated or revoked mid-run. */
  setApiKey(key: string): void;
  /** Changes the rate limit (null: none) without restarting. */
  setRequestsPerSecond(limit: number | null): void;
  /** The next `count` item creations are made but never answered, as when a response is lost on the way back. */
  loseNextCreates(count: number): void;
  /** Before each of the next `count` item updates, an officer edits the item first (its signature changes). */
  editBeforeNextUpdates(count: number): void;
  /** The item, or an error naming the id. */
  item(itemId: string): SimulatedItem;
  /** An officer edits an item in Alloy: new values, a new signature, lastEditDate now, an Edit in its log. */
  edit(itemId: string, attributes: Record<string, unknown>, username?: string): SimulatedItem;
  /** An officer moves the item to another status option (and writes a note), on the design's workflow attributes. */
  setStatus(itemId: string, optionItemId: string, note?: string): SimulatedItem;
  /** Items of a design (all designs when none is given). */
  itemsOf(designCode?: string): SimulatedItem[];
}

const single = (v: string | string[] | undefined): string | undefined => (Array.isArray(v) ? v[0] : v);
const refused = (e: AlloyRefusal, headers?: Record<string, string>): RestResponse => reply(e.status, e.body(), headers);

/** Starts the Alloy simulator. The API is under `/api/` (sim.apiUrl), as on api.uk.alloyapp.io. */
export async function startAlloySimulator(options: AlloySimulatorOptions = {}): Promise<AlloySimulator> {
  let apiKey = options.apiKey ?? ALLOY_SIMULATOR_API_KEY;
  let perSecond = options.requestsPerSecond ?? null;
  const designs = new Map((options.designs ?? EXAMPLE_DESIGNS).map((d) => [d.code, d]));
  const optionItems = new Map((options.options ?? EXAMPLE_OPTIONS).map((o) => [o.itemId, o]));
  let lose = 0;
  let editFirst = 0;
  // Creations whose answer is "lost": their handlers never return (the client's deadline ends them).
  let held: Array<() => void> = [];

  const design = (code: unknown): ExampleDesign => {
    const d = typeof code === 'string' ? designs.get(code) : undefined;
    if (!d) throw new AlloyRefusal(404, 'DesignNotFound', `Design ${String(code).slice(0, 100)} not found`);
    return d;
  };

  const index = (state: AlloySimulatorState, item: SimulatedItem, add: boolean) => {
    for (const [code, value] of Object.entries(item.attributes)) {
      if (typeof value !== 'string') continue;
      const key = indexKey(code, value);
      if (add) {
        let set = state.index.get(key);
        if (!set) state.index.set(key, (set = new Set()));
        set.add(item.itemId);
      } else state.index.get(key)?.delete(item.itemId);
    }
  };

  const checkers = (state: AlloySimulatorState) => ({
    exists: (id: string, linkTo: string | undefined) => {
      const option = optionItems.get(id);
      if (option) return linkTo === undefined || option.designCode === linkTo;
      const item = state.items.get(id);
      return item !== undefined && (linkTo === undefined || item.designCode === linkTo);
    },
    fileExists: (id: string) => state.files.has(id),
  });

  const editItem = (state: AlloySimulatorState, item: SimulatedItem, values: Record<string, unknown>, username: string) => {
    index(state, item, false);
    for (const [code, value] of Object.entries(values))
      Object.defineProperty(item.attributes, code, { value, enumerable: true, writable: true, configurable: true });
    const at = new Date().toISOString();
    item.signature = newId();
    item.lastEditDate = at;
    item.log.push({ action: 'Edit', date: at, username });
    index(state, item, true);
    return item;
  };

  const find = (state: AlloySimulatorState, id: string | undefined): SimulatedItem => {
    const item = state.items.get(id ?? '');
    if (!item) throw new AlloyRefusal(404, 'ItemNotFound', `Item ${String(id).slice(0, 100)} not found`);
    return item;
  };

  /** The root of an AQS body, its design and its filter. */
  const parseAqs = (req: RestRequest, type: 'Query' | 'MathAggregation') => {
    const aqs = (req.json as { aqs?: AqsInput } | undefined)?.aqs;
    if (typeof aqs !== 'object' || aqs === null || aqs.type !== type)
      throw new AlloyRefusal(400, 'InvalidAqs', `body must be {aqs: {type: '${type}', ...}}`);
    const p = aqs.properties ?? {};
    const d = design(p.dodiCode);
    if (
      p.collectionCode !== undefined &&
      p.collectionCode !== 'Live' &&
      !(Array.isArray(p.collectionCode) && p.collectionCode.includes('Live'))
    ) {
      return { design: d, filter: () => false, equality: undefined };
    }
    const nodes = Array.isArray(aqs.children) ? (aqs.children as AqsInput[]) : [];
    const root: AqsInput | undefined = nodes.length === 0 ? undefined : nodes.length === 1 ? nodes[0] : { type: 'And', children: nodes };
    try {
      return { design: d, filter: root ? compileFilter(root) : () => true, equality: indexedEquality(root) };
    } catch (error) {
      if (error instanceof AqsError) throw new AlloyRefusal(400, 'InvalidAqs', error.message);
      throw error;
    }
  };

  const matching = (state: AlloySimulatorState, req: RestRequest, type: 'Query' | 'MathAggregation'): SimulatedItem[] => {
    const { design: d, filter, equality } = parseAqs(req, type);
    const candidates = equality
      ? [...(state.index.get(indexKey(equality.code, equality.value)) ?? [])].map((id) => state.items.get(id)!)
      : state.items.values();
    const out: SimulatedItem[] = [];
    for (const item of candidates) if (item.designCode === d.code && filter(item)) out.push(item);
    return out;
  };

  /** Wraps a handler: Alloy-style refusals and the optional rate limit. */
  const handler =
    (fn: (req: RestRequest, state: AlloySimulatorState) => RestResponse | Promise<RestResponse>) =>
    async (req: RestRequest, { state }: { state: AlloySimulatorState }): Promise<RestResponse> => {
      if (perSecond !== null) {
        const now = Date.now();
        if (now - state.window.start >= 1000) state.window = { start: now, count: 0 };
        if (++state.window.count > perSecond) {
          const seconds = options.retryAfterSeconds ?? 1;
          return refused(new AlloyRefusal(429, 'TooManyRequests', `Rate limit of ${perSecond} requests a second exceeded`), {
            'retry-after': String(seconds),
          });
        }
      }
      try {
        return await fn(req, state);
      } catch (error) {
        if (error instanceof AlloyRefusal) return refused(error);
        throw error;
      }
    };

  const sim = await startRestSimulator<AlloySimulatorState>({
    name: 'alloy',
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    ...(options.stateDir !== undefined ? { stateDir: options.stateDir } : {}),
    state: () => ({ items: new Map(), index: new Map(), files: new Map(), window: { start: 0, count: 0 } }),
    auth: (req) => {
      const header = single(req.headers.authorization);
      const token = single(req.query.token);
      if (header === `Bearer ${apiKey}` || (header === undefined && token === apiKey)) return true;
      return refused(new AlloyRefusal(401, 'InvalidApiKey', 'The API key is missing, unknown or revoked'));
    },
    routes: [
      {
        method: 'GET',
        path: '/api/design/:code',
        handler: handler((req) => {
          const d = design(req.params.code);
          return reply(200, {
            design: {
              code: d.code,
              name: d.name,
              attributes: d.attributes.map((a) => ({
                name: a.name,
                code: a.code,
                type: a.type,
                required: a.required === true,
                ...(a.linkTo ? { options: { code: a.linkTo } } : {}),
              })),
            },
          });
        }),
      },
      {
        method: 'POST',
        path: '/api/item',
        handler: handler(async (req, state) => {
          const body = req.json as { designCode?: unknown; collectionCode?: unknown; attributes?: unknown; parents?: unknown } | undefined;
          if (typeof body !== 'object' || body === null)
            throw new AlloyRefusal(400, 'InvalidRequest', 'body must be an item: {designCode, attributes}');
          const d = design(body.designCode);
          const { exists, fileExists } = checkers(state);
          const attributes = checkAttributes(d, body.attributes ?? [], true, exists, fileExists);
          const parents: Record<string, string[]> = {};
          if (body.parents !== undefined) {
            if (typeof body.parents !== 'object' || body.parents === null || Array.isArray(body.parents))
              throw new AlloyRefusal(400, 'InvalidRequest', 'parents must be {attributeCode: [itemId]}');
            for (const [code, list] of Object.entries(body.parents as Record<string, unknown>)) {
              if (!Array.isArray(list) || !list.every((id) => typeof id === 'string' && exists(id, undefined)))
                throw new AlloyRefusal(400, 'LinkedItemNotFound', `Parent item(s) in ${code.slice(0, 100)} do not exist`);
              Object.defineProperty(parents, code, { value: list, enumerable: true, writable: true, configurable: true });
            }
          }
          const at = new Date().toISOString();
          const item: SimulatedItem = {
            itemId: newId(),
            designCode: d.code,
            collection: 'Live',
            attributes,
            parents,
            signature: newId(),
            createdDate: at,
            lastEditDate: at,
            log: [{ action: 'Create', date: at, username: 'api' }],
          };
          state.items.set(item.itemId, item);
          index(state, item, true);
          if (lose > 0) {
            lose--;
            await new Promise<void>((resolve) => held.push(resolve));
          }
          return reply(200, { item: itemResource(item) });
        }),
      },
      {
        method: 'GET',
        path: '/api/item/:id',
        handler: handler((req, state) => {
          const option = optionItems.get(req.params.id ?? '');
          if (option)
            return reply(200, {
              item: {
                itemId: option.itemId,
                designCode: option.designCode,
                collection: 'Live',
                attributes: [{ attributeCode: 'attributes_itemsTitle', value: option.title }],
                signature: option.itemId,
              },
            });
          return reply(200, { item: itemResource(find(state, req.params.id)) });
        }),
      },
      {
        method: 'GET',
        path: '/api/item/:id/parents',
        handler: handler((req, state) => {
          const item = find(state, req.params.id);
          const ids = [...new Set(Object.values(item.parents).flat())];
          return reply(200, {
            results: ids
              .map((id) => state.items.get(id))
              .filter((p): p is SimulatedItem => p !== undefined)
              .map(itemResource),
          });
        }),
      },
      {
        method: 'PUT',
        path: '/api/item/:id',
        handler: handler((req, state) => {
          const item = find(state, req.params.id);
          const body = req.json as { attributes?: unknown; signature?: unknown } | undefined;
          if (typeof body !== 'object' || body === null)
            throw new AlloyRefusal(400, 'InvalidRequest', 'body must be {attributes, signature}');
          if (editFirst > 0) {
            editFirst--;
            editItem(state, item, {}, 'officer');
          }
          if (body.signature !== item.signature)
            throw new AlloyRefusal(
              409,
              'ItemSignatureMismatch',
              `Item ${item.itemId} has been changed since signature ${String(body.signature).slice(0, 40)}`,
            );
          const { exists, fileExists } = checkers(state);
          const values = checkAttributes(design(item.designCode), body.attributes ?? [], false, exists, fileExists);
          return reply(200, { item: itemResource(editItem(state, item, values, 'api')) });
        }),
      },
      {
        method: 'GET',
        path: '/api/item-log/item/:id',
        handler: handler((req, state) => {
          const item = find(state, req.params.id);
          const results = [...item.log].reverse().map((entry) => ({
            itemId: item.itemId,
            designCode: item.designCode,
            action: entry.action,
            causes: [],
            date: entry.date,
            username: entry.username,
          }));
          return reply(200, { page: 1, pageSize: results.length, results });
        }),
      },
      {
        method: 'POST',
        path: '/api/aqs/query',
        handler: handler((req, state) => {
          const page = Number(single(req.query.page) ?? '1');
          const pageSize = Number(single(req.query.pageSize) ?? '20');
          if (!Number.isInteger(page) || page < 1 || !Number.isInteger(pageSize) || pageSize < 1 || pageSize > 1000)
            throw new AlloyRefusal(400, 'InvalidRequest', 'page must be 1 or more and pageSize 1 to 1000');
          const all = matching(state, req, 'Query');
          const results = all.slice((page - 1) * pageSize, page * pageSize).map(itemResource);
          return reply(200, { page, pageSize, totalPages: Math.ceil(all.length / pageSize), totalResults: all.length, results });
        }),
      },
      {
        method: 'POST',
        path: '/api/aqs/statistics',
        handler: handler((req, state) => {
          const aggregation = (req.json as { aqs?: AqsInput } | undefined)?.aqs?.properties?.aggregationType;
          if (aggregation !== 'Count') throw new AlloyRefusal(400, 'InvalidAqs', 'the simulator answers aggregationType Count only');
          return reply(200, { results: [{ value: { value: matching(state, req, 'MathAggregation').length } }] });
        }),
      },
      {
        method: 'POST',
        path: '/api/file',
        handler: handler((req, state) => {
          const disposition = single(req.headers['content-disposition']) ?? '';
          const filename = /filename="([^"]*)"/.exec(disposition)?.[1];
          const contentType = single(req.headers['content-type']);
          if (!filename || !contentType)
            throw new AlloyRefusal(400, 'InvalidRequest', 'a file needs Content-Type and Content-Disposition: attachment; filename="..."');
          const fileItemId = newId();
          state.files.set(fileItemId, { fileItemId, filename, contentType, size: Buffer.byteLength(req.body) });
          return reply(200, { fileItemId });
        }),
      },
    ],
  });

  const item = (itemId: string): SimulatedItem => {
    const found = sim.state.items.get(itemId);
    if (!found) throw new Error(`alloy simulator: no item ${itemId}`);
    return found;
  };
  /** An officer's edit, made outside a request, is saved like one made through the API. */
  const saved = (edited: SimulatedItem): SimulatedItem => {
    void sim.saveState();
    return edited;
  };
  const baseReset = sim.reset;
  const out = Object.assign(sim, {
    apiUrl: `${sim.url}/api/`,
    setApiKey: (key: string) => void (apiKey = key),
    setRequestsPerSecond: (limit: number | null) => void (perSecond = limit),
    loseNextCreates: (count: number) => void (lose = count),
    editBeforeNextUpdates: (count: number) => void (editFirst = count),
    item,
    edit: (itemId: string, attributes: Record<string, unknown>, username = 'officer') =>
      saved(editItem(sim.state, item(itemId), attributes, username)),
    setStatus: (itemId: string, optionItemId: string, note?: string) => {
      const found = item(itemId);
      const workflow = designs.get(found.designCode)?.workflow;
      if (!workflow) throw new Error(`alloy simulator: design ${found.designCode} has no workflow attributes`);
      return saved(
        editItem(
          sim.state,
          found,
          { [workflow.status]: [optionItemId], ...(note !== undefined && workflow.note ? { [workflow.note]: note } : {}) },
          'officer',
        ),
      );
    },
    itemsOf: (designCode?: string) => [...sim.state.items.values()].filter((i) => designCode === undefined || i.designCode === designCode),
    reset: () => {
      // Lost answers stay lost: their clients gave up long ago.
      held = [];
      lose = 0;
      editFirst = 0;
      baseReset();
    },
  });
  // A getter, so a key changed mid-run reads back as the one now accepted.
  Object.defineProperty(out, 'apiKey', { get: () => apiKey, enumerable: true });
  return out as AlloySimulator;
}
