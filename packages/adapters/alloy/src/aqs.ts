import type { AqsNode } from './alloy-api';

/**
 * AQS (Alloy Query Syntax) bodies, in the shapes public Alloy integrations send to `aqs/query` and
 * `aqs/statistics`: a root node naming the design (`dodiCode`) and collection, and a filter tree.
 */

/** Items of `designCode` in `collectionCode` whose text attribute `attributeCode` equals `value`. */
export function attributeEquals(designCode: string, collectionCode: string, attributeCode: string, value: string): AqsNode {
  return {
    type: 'Query',
    properties: { dodiCode: designCode, collectionCode, attributes: ['all'] },
    children: [
      {
        type: 'Equals',
        children: [
          { type: 'Attribute', properties: { attributeCode } },
          { type: 'String', properties: { value: [value] } },
        ],
      },
    ],
  };
}

const lastEditDate = (): AqsNode => ({ type: 'ItemProperty', properties: { itemPropertyName: 'lastEditDate' } });
const dateTime = (iso: string): AqsNode => ({ type: 'DateTime', properties: { value: [iso] } });

/** Items of `designCode` last edited strictly after `from` and strictly before `to` (ISO 8601). */
export function editedBetween(designCode: string, collectionCode: string, from: string, to: string): AqsNode {
  return {
    type: 'Query',
    properties: { dodiCode: designCode, collectionCode, attributes: ['all'] },
    children: [
      {
        type: 'And',
        children: [
          { type: 'GreaterThan', children: [lastEditDate(), dateTime(from)] },
          { type: 'LessThan', children: [lastEditDate(), dateTime(to)] },
        ],
      },
    ],
  };
}

/** The same filter as a Count aggregation, for `aqs/statistics`. */
export function countOf(query: AqsNode): AqsNode {
  return { ...query, type: 'MathAggregation', properties: { ...query.properties, aggregationType: 'Count' } };
}
