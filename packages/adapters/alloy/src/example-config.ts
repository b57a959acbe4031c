import type { AlloyConfig } from './config';
import { ENQUIRY, MISSED, OPTIONS, REPORT } from './example-designs';

const ids = <K extends string>(group: Record<K, { itemId: string }>, pick: Record<string, K>): Record<string, string> =>
  Object.fromEntries(Object.entries(pick).map(([canonical, name]) => [canonical, group[name as K].itemId]));

/**
 * The configuration for the FICTIONAL example customer that `@lgx/adapter-alloy/testing` simulates:
 * the worked example of mapping LGX onto a council's Alloy designs. A council copies its shape and
 * puts in its own design, attribute and option item codes.
 */
export function alloyExampleConfig(baseUrl: string, apiKey: string): AlloyConfig {
  const s = OPTIONS.reportStatus;
  const c = OPTIONS.collectionStatus;
  const e = OPTIONS.enquiryStatus;
  return {
    baseUrl,
    apiKey,
    types: {
      'street.report': {
        designCode: REPORT.design,
        transactionIdAttribute: REPORT.lgxId,
        attributes: {
          attributes_itemsTitle: { from: ['/data/title', '/data/description'], maxLength: 255 },
          [REPORT.summary]: { from: ['/data/title', '/data/description'], required: true, maxLength: 255 },
          [REPORT.explanation]: { from: '/data/description', required: true, maxLength: 4000 },
          [REPORT.category]: {
            from: '/data/kind',
            format: 'link',
            required: true,
            map: ids(OPTIONS.category, {
              pothole: 'carriageway',
              road_defect: 'carriageway',
              pavement_defect: 'footway',
              street_light: 'lighting',
              fly_tipping: 'flyTipping',
              graffiti: 'graffiti',
              dog_fouling: 'cleansing',
              litter: 'cleansing',
              abandoned_vehicle: 'vehicles',
              blocked_drain: 'drainage',
              other: 'other',
            }),
          },
          [REPORT.reportedAt]: { from: '/time', format: 'dateTime' },
          [REPORT.status]: { value: [s.reported.itemId] },
          [REPORT.usrn]: { from: ['/data/location/usrn', '/data/location/address/usrn'] },
          [REPORT.location]: { from: ['/data/location/description', '/data/location/address'], format: 'addressText', maxLength: 500 },
          [REPORT.asset]: { from: '/data/asset/reference' },
          [REPORT.hazard]: { from: '/data/hazard', format: 'boolean' },
          [REPORT.reporterName]: { from: '/data/requester/person', format: 'personName', maxLength: 200 },
          [REPORT.reporterEmail]: { from: '/data/requester/person/email' },
        },
        attachments: { attributeCode: REPORT.attachments },
        status: {
          attributeCode: REPORT.status,
          noteAttributeCode: REPORT.response,
          map: {
            [s.reported.itemId]: 'open',
            [s.inspection.itemId]: 'investigating',
            [s.worksOrdered.itemId]: 'action_scheduled',
            [s.remedied.itemId]: 'fixed',
            [s.noAction.itemId]: 'no_further_action',
            [s.notOurs.itemId]: 'not_councils_responsibility',
            [s.duplicate.itemId]: 'duplicate',
          },
        },
      },
      'waste.missedCollection': {
        designCode: MISSED.design,
        transactionIdAttribute: MISSED.lgxId,
        attributes: {
          [MISSED.uprn]: { from: '/data/uprn', required: true },
          [MISSED.service]: {
            from: '/data/service',
            format: 'link',
            required: true,
            map: ids(OPTIONS.wasteService, {
              refuse: 'refuse',
              absorbent_hygiene: 'refuse',
              clinical: 'refuse',
              recycling: 'recycling',
              paper_card: 'recycling',
              glass: 'recycling',
              garden: 'garden',
              food: 'food',
              textiles: 'other',
              small_electricals: 'other',
              batteries: 'other',
              other: 'other',
            }),
          },
          [MISSED.scheduledDate]: { from: '/data/scheduledDate', format: 'date', required: true },
          [MISSED.presented]: { from: '/data/containerPresented', format: 'boolean' },
          [MISSED.notes]: { from: '/data/notes', maxLength: 4000 },
          [MISSED.assisted]: { from: '/data/assistedCollection', format: 'boolean' },
          [MISSED.status]: { value: [c.logged.itemId] },
        },
        geometry: { enabled: false },
        attachments: { attributeCode: MISSED.attachments },
        status: {
          attributeCode: MISSED.status,
          noteAttributeCode: MISSED.crewComments,
          map: {
            [c.logged.itemId]: 'open',
            [c.returnScheduled.itemId]: 'action_scheduled',
            [c.collected.itemId]: 'fixed',
            [c.notPresented.itemId]: 'no_further_action',
            [c.cancelled.itemId]: 'cancelled',
          },
        },
      },
      'crm.case': {
        designCode: ENQUIRY.design,
        transactionIdAttribute: ENQUIRY.lgxId,
        attributes: {
          attributes_itemsTitle: { from: '/data/subject', maxLength: 255 },
          [ENQUIRY.subject]: { from: '/data/subject', required: true, maxLength: 255 },
          [ENQUIRY.details]: { from: '/data/description', maxLength: 4000 },
          [ENQUIRY.enquiryType]: { from: ['/data/category', '/data/caseType'], required: true },
          [ENQUIRY.priority]: { from: '/data/priority' },
          [ENQUIRY.contactName]: { from: '/data/contact/person', format: 'personName', maxLength: 200 },
          [ENQUIRY.contactEmail]: { from: '/data/contact/person/email' },
          [ENQUIRY.contactPhone]: { from: '/data/contact/person/phone' },
          [ENQUIRY.uprn]: { from: ['/data/location/uprn', '/data/location/address/uprn'] },
          [ENQUIRY.status]: { value: [e.open.itemId] },
        },
        attachments: { attributeCode: ENQUIRY.attachments },
        status: {
          attributeCode: ENQUIRY.status,
          noteAttributeCode: ENQUIRY.response,
          map: {
            [e.open.itemId]: 'open',
            [e.withService.itemId]: 'in_progress',
            [e.resolved.itemId]: 'fixed',
            [e.closed.itemId]: 'closed',
          },
        },
      },
    },
  };
}
