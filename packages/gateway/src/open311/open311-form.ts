import { Open311Error } from './open311-format';

/** The fields of an Open311 POST: plain params, and `attribute[code]` / `attribute[code][]` answers. */
export interface Open311Form {
  params: Map<string, string[]>;
  attributes: Map<string, string[]>;
}

const MAX_FIELDS = 200;

function add(form: Open311Form, name: string, value: string): void {
  if (form.params.size + form.attributes.size >= MAX_FIELDS) throw new Open311Error(400, `the request has more than ${MAX_FIELDS} fields`);
  const attribute = /^attribute\[([^\]]{1,64})\](\[\])?$/.exec(name);
  const map = attribute ? form.attributes : form.params;
  const key = attribute ? attribute[1]! : name;
  const list = map.get(key) ?? [];
  list.push(value);
  map.set(key, list);
}

/**
 * The text fields of a multipart/form-data body. File parts (FMS uploads photos this way) are skipped:
 * the facade takes photos by media_url only.
 */
function parseMultipart(body: Buffer, boundary: string, form: Open311Form): void {
  const text = body.toString('latin1');
  const delimiter = `--${boundary}`;
  for (const part of text.split(delimiter).slice(1)) {
    if (part.startsWith('--')) break;
    const split = part.indexOf('\r\n\r\n');
    if (split < 0) continue;
    const headers = part.slice(0, split);
    const disposition = /content-disposition:\s*form-data;([^\r\n]*)/i.exec(headers)?.[1] ?? '';
    const name = /\bname="([^"]*)"/i.exec(disposition)?.[1];
    if (name === undefined || /\bfilename=/i.test(disposition)) continue;
    const value = part.slice(split + 4).replace(/\r\n$/, '');
    add(form, Buffer.from(name, 'latin1').toString('utf8'), Buffer.from(value, 'latin1').toString('utf8'));
  }
}

/** Parses an Open311 POST body (x-www-form-urlencoded, as the spec says, or multipart, as FMS also sends). */
export function parseForm(contentType: string | undefined, body: unknown, query: Record<string, unknown>): Open311Form {
  const form: Open311Form = { params: new Map(), attributes: new Map() };
  const bytes = Buffer.isBuffer(body) ? body : Buffer.alloc(0);
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/x-www-form-urlencoded') {
    for (const [name, value] of new URLSearchParams(bytes.toString('utf8'))) add(form, name, value);
  } else if (type === 'multipart/form-data') {
    const boundary = /boundary="?([^";]{1,70})"?/i.exec(contentType ?? '')?.[1];
    if (!boundary) throw new Open311Error(400, 'multipart/form-data needs a boundary');
    parseMultipart(bytes, boundary, form);
  } else if (bytes.length > 0 || type !== '') {
    throw new Open311Error(415, 'send the request as application/x-www-form-urlencoded (or multipart/form-data)');
  }
  // Query-string parameters count too (some clients put api_key there), but the body wins.
  for (const [name, value] of Object.entries(query)) {
    if (typeof value === 'string' && !form.params.has(name) && !name.startsWith('attribute[')) add(form, name, value);
  }
  return form;
}

export function one(form: Open311Form, name: string): string | undefined {
  const value = form.params.get(name)?.[0];
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}
