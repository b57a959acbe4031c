import type { CaseStatus, StatusUpdate, WasteCollectionScheduleResult, WasteContainerRequest, WasteMissedCollection } from '@lgx/core';

/** The vendor's case as its API returns it. */
export interface VendorCase {
  id: string;
  status: 'logged' | 'scheduled' | 'completed' | 'rejected' | 'cancelled';
  updated_at: string;
  note?: string;
}

/** Canonical service -> the vendor's service code. A council can override it with a `service` mapping table. */
const DEFAULT_SERVICE_CODES: Record<string, string> = {
  refuse: 'REF',
  recycling: 'REC',
  garden: 'GDN',
  food: 'FOOD',
  glass: 'GLS',
  paper_card: 'PAP',
  clinical: 'CLN',
};

const STATUS: Record<VendorCase['status'], CaseStatus> = {
  logged: 'open',
  scheduled: 'action_scheduled',
  completed: 'fixed',
  rejected: 'no_further_action',
  cancelled: 'cancelled',
};

export function serviceCode(service: string, table: Readonly<Record<string, string>> | undefined): string {
  return table?.[service] ?? DEFAULT_SERVICE_CODES[service] ?? service.toUpperCase();
}

export function toMissedCollectionBody(data: WasteMissedCollection, table?: Readonly<Record<string, string>>) {
  return {
    uprn: data.uprn,
    service: data.serviceCode ?? serviceCode(data.service, table),
    collection_date: data.scheduledDate,
    container_out: data.containerPresented ?? null,
    location_note: data.containerLocation ?? null,
    assisted: data.assistedCollection ?? false,
    notes: data.notes ?? null,
  };
}

export function toContainerRequestBody(data: WasteContainerRequest, table?: Readonly<Record<string, string>>) {
  return {
    uprn: data.uprn,
    service: serviceCode(data.service, table),
    container: { type: data.container.type, litres: data.container.sizeLitres ?? null },
    quantity: data.quantity,
    reason: data.reason,
    take_old: data.returnOldContainer ?? false,
    payment_ref: data.paymentRef ?? null,
    delivery_notes: data.deliveryNotes ?? null,
  };
}

export function toStatusUpdate(
  c: { id: string; status: VendorCase['status']; updated_at: string; note?: string | undefined },
  updateId?: string,
): StatusUpdate {
  return {
    externalRef: c.id,
    status: STATUS[c.status],
    externalStatusCode: c.status,
    updatedAt: c.updated_at,
    source: 'template',
    ...(updateId !== undefined ? { updateId } : {}),
    ...(c.note ? { description: c.note } : {}),
  };
}

interface VendorRound {
  code: string;
  name: string;
  container: string;
  frequency: string;
  next_date?: string;
  last_date?: string;
}

export function toSchedule(uprn: string, rounds: VendorRound[], table?: Readonly<Record<string, string>>): WasteCollectionScheduleResult {
  const byCode = new Map(Object.entries({ ...DEFAULT_SERVICE_CODES, ...table }).map(([canonical, code]) => [code, canonical]));
  type Service = WasteCollectionScheduleResult['services'][number];
  const services = rounds.map((r): Service => {
    const litres = /([0-9]+)\s*L\b/i.exec(r.container);
    const service: Service = {
      service: (byCode.get(r.code) ?? 'refuse') as Service['service'],
      serviceCode: r.code,
      name: r.name,
      frequency: r.frequency,
      container: {
        type: /wheelie/i.test(r.container) ? 'wheelie_bin' : /caddy/i.test(r.container) ? 'caddy' : 'box',
        ...(litres ? { sizeLitres: Number(litres[1]) } : {}),
      },
    };
    if (r.next_date) service.nextDate = r.next_date;
    if (r.last_date) service.lastDate = r.last_date;
    return service;
  });
  return { uprn, services };
}
