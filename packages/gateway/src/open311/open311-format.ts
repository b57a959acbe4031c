import type { FastifyReply } from 'fastify';
import { escapeXml } from '@lgx/core';

/** A value in an Open311 document: text, a nested element, or a repeated element. */
export type Open311Value = string | number | boolean | undefined | null | Open311Element | Open311Element[] | string[];
export interface Open311Element {
  [name: string]: Open311Value;
}

export type Open311Format = 'xml' | 'json';

function xmlElement(name: string, value: Open311Value, indent: string, itemName?: string): string {
  if (value === undefined || value === null) return '';
  if (Array.isArray(value)) {
    // A list: <name><item>..</item><item>..</item></name>
    const inner = (value as Array<Open311Element | string>).map((item) => xmlElement(itemName ?? 'item', item, `${indent}  `)).join('');
    return inner ? `${indent}<${name}>\n${inner}${indent}</${name}>\n` : `${indent}<${name}/>\n`;
  }
  if (typeof value === 'object') {
    const inner = Object.entries(value)
      .map(([k, v]) => (Array.isArray(v) ? xmlElement(k, v, `${indent}  `, ITEM_NAMES[k]) : xmlElement(k, v, `${indent}  `)))
      .join('');
    return `${indent}<${name}>\n${inner}${indent}</${name}>\n`;
  }
  return `${indent}<${name}>${escapeXml(String(value))}</${name}>\n`;
}

/** Child element names of the spec's lists. */
const ITEM_NAMES: Record<string, string> = {
  attributes: 'attribute',
  values: 'value',
  endpoints: 'endpoint',
  formats: 'format',
  groups: 'group',
  extras: 'extra',
};

/**
 * Serialises an Open311 document. XML: `<root><item>…</item>…</root>` with nested lists named as the
 * spec names them (attributes/attribute, values/value, …). JSON: the list of items as an array (or the
 * single object for `discovery` and `service_definition`), as GeoReport v2 JSON clients expect.
 */
export function render(format: Open311Format, root: string, item: string | undefined, body: Open311Element | Open311Element[]): string {
  if (format === 'json') return JSON.stringify(body, (_k, v: unknown) => (v === null ? undefined : v));
  const head = '<?xml version="1.0" encoding="utf-8"?>\n';
  if (Array.isArray(body)) {
    const inner = body.map((element) => xmlElement(item ?? 'item', element, '  ')).join('');
    return inner ? `${head}<${root}>\n${inner}</${root}>\n` : `${head}<${root}/>\n`;
  }
  return head + xmlElement(root, body, '');
}

export function send(
  reply: FastifyReply,
  format: Open311Format,
  status: number,
  root: string,
  item: string | undefined,
  body: Open311Element | Open311Element[],
): FastifyReply {
  return reply
    .code(status)
    .type(format === 'json' ? 'application/json; charset=utf-8' : 'text/xml; charset=utf-8')
    .send(render(format, root, item, body));
}

/** An error in the spec's format: `<errors><error><code/><description/></error></errors>` (JSON: an array). */
export function sendError(reply: FastifyReply, format: Open311Format, status: number, description: string): FastifyReply {
  return send(reply, format, status, 'errors', 'error', [{ code: status, description }]);
}

/** An error raised inside an Open311 handler; answered in the spec's format. */
export class Open311Error extends Error {
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
    this.name = 'Open311Error';
  }
}
