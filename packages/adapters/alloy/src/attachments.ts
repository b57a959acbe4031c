import { RetryableError, type Logger } from '@lgx/core';
import { attributeValue, SIGNATURE_MISMATCH, type AlloyItem } from './alloy-api';
import type { AlloyClient } from './client';
import type { AlloyType } from './config';

/** The field of each canonical type that carries its attachments. */
const ATTACHMENT_FIELD: Readonly<Record<AlloyType, string>> = {
  'street.report': 'media',
  'waste.missedCollection': 'media',
  'crm.case': 'attachments',
};

interface InlineAttachment {
  filename: string;
  contentType: string;
  content: string;
}

/** The attachments carried inline (base64 content); those by URL are not fetched. */
export function inlineAttachments(type: AlloyType, data: unknown): InlineAttachment[] {
  const list = (data as Record<string, unknown> | null)?.[ATTACHMENT_FIELD[type]];
  if (!Array.isArray(list)) return [];
  return list.filter(
    (a): a is InlineAttachment => typeof a?.content === 'string' && typeof a.filename === 'string' && typeof a.contentType === 'string',
  );
}

const ids = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/**
 * Uploads the inline attachments and links them in the item's attachments attribute (`PUT item` with
 * the item's signature). An item that already links files was completed by an earlier attempt and is
 * left alone. A stale signature (someone edited the item meanwhile) is met by reading the item again
 * and retrying once; a second mismatch fails retryable, and the next attempt finds the item by its
 * LGX id and tries again.
 */
export async function attachFiles(
  alloy: AlloyClient,
  item: AlloyItem,
  attributeCode: string,
  files: readonly InlineAttachment[],
  signal: AbortSignal,
  logger: Logger,
): Promise<AlloyItem> {
  if (files.length === 0 || ids(attributeValue(item, attributeCode)).length > 0) return item;
  const uploaded: string[] = [];
  for (const file of files)
    uploaded.push(await alloy.uploadFile(Buffer.from(file.content, 'base64'), file.contentType, file.filename, signal));
  const put = (current: AlloyItem) =>
    alloy.updateItem(
      current.itemId,
      {
        attributes: [{ attributeCode, value: [...ids(attributeValue(current, attributeCode)), ...uploaded] }],
        ...(current.signature ? { signature: current.signature } : {}),
      },
      signal,
    );
  try {
    return await put(item);
  } catch (error) {
    if ((error as { vendorCode?: string }).vendorCode !== SIGNATURE_MISMATCH) throw error;
    logger.info('item edited in Alloy since it was read; reading it again to link the files', { externalRef: item.itemId });
    const fresh = await alloy.getItem(item.itemId, signal);
    try {
      return await put(fresh);
    } catch (again) {
      if ((again as { vendorCode?: string }).vendorCode !== SIGNATURE_MISMATCH) throw again;
      throw new RetryableError(`Alloy item ${item.itemId} changed twice while its files were being linked; the next attempt links them`, {
        vendorCode: SIGNATURE_MISMATCH,
        cause: again,
      });
    }
  }
}
