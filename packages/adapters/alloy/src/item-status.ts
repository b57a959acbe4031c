import type { CaseStatus, Logger } from '@lgx/core';
import { attributeValue, type AlloyItem } from './alloy-api';
import type { StatusPlan } from './type-plan';

export interface ItemStatus {
  status: CaseStatus;
  /** The status option item id, as Alloy holds it. */
  externalStatusCode?: string;
  /** The public note (the note attribute's text), when configured and set. */
  note?: string;
}

/** The first item id of a link attribute's value (a list of ids), or the value itself when it is one id. */
function firstId(value: unknown): string | undefined {
  const first = Array.isArray(value) ? value[0] : value;
  return typeof first === 'string' && first !== '' && first.length <= 100 ? first : undefined;
}

/** Reads an item's status through the council's option mapping; an unmapped option is warned about once. */
export class StatusReader {
  private readonly warned = new Set<string>();

  constructor(private readonly logger: Logger) {}

  read(item: AlloyItem, plan: StatusPlan): ItemStatus {
    const option = firstId(attributeValue(item, plan.attributeCode));
    let status: CaseStatus = 'open';
    if (option !== undefined && Object.prototype.hasOwnProperty.call(plan.map, option)) status = plan.map[option]!;
    else if (option !== undefined) {
      status = plan.unmapped ?? 'open';
      if (plan.unmapped === undefined && !this.warned.has(option) && this.warned.size < 100) {
        this.warned.add(option);
        this.logger.warn('Alloy status option not in status.map; reported as open', {
          externalStatusCode: option,
          attribute: plan.attributeCode,
        });
      }
    }
    const out: ItemStatus = { status };
    if (option !== undefined) out.externalStatusCode = option;
    const note = plan.noteAttributeCode ? attributeValue(item, plan.noteAttributeCode) : undefined;
    if (typeof note === 'string' && note.trim() !== '') out.note = note.length > 4000 ? `${note.slice(0, 3999)}…` : note;
    return out;
  }
}
