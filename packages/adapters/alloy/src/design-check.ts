import type { AlloyClient } from './client';
import type { TypePlan } from './type-plan';

/** Attributes every item has, which designs need not list (`attributes_itemsTitle`, `attributes_itemsGeometry`). */
const ITEM_ATTRIBUTE = /^attributes_items[A-Z]/;

/** The attribute codes a type's configuration writes or reads. */
function codesOf(plan: TypePlan): string[] {
  return [
    plan.transactionIdAttribute,
    ...plan.sources.map((s) => s.attributeCode),
    ...(plan.geometry ? [plan.geometry.attributeCode] : []),
    ...(plan.attachmentsAttribute ? [plan.attachmentsAttribute] : []),
    ...Object.keys(plan.parents ?? {}),
    plan.status.attributeCode,
    ...(plan.status.noteAttributeCode ? [plan.status.noteAttributeCode] : []),
  ];
}

/**
 * Reads each configured design (`GET design/{code}`) and lists what the configuration names that the
 * design does not have: the health check catches a design changed under the council's feet before a
 * delivery does. Errors (key refused, Alloy down) are thrown.
 */
export async function checkDesigns(alloy: AlloyClient, plans: readonly TypePlan[], signal: AbortSignal): Promise<string[]> {
  const problems: string[] = [];
  for (const plan of plans) {
    const design = await alloy.getDesign(plan.designCode, signal);
    const known = new Set(design.attributes.map((a) => a.code));
    const missing = [...new Set(codesOf(plan))].filter((code) => !known.has(code) && !ITEM_ATTRIBUTE.test(code));
    if (missing.length) problems.push(`design ${plan.designCode} (${plan.type}) has no attribute ${missing.join(', ')}`);
  }
  return problems;
}
