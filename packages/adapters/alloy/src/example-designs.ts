/**
 * The designs of a FICTIONAL council's Alloy customer: customer reports (street reports), missed
 * collections and customer enquiries, with their status and category option items. The simulator in
 * `@lgx/adapter-alloy/testing` serves them and `alloyExampleConfig()` maps LGX onto them; a real
 * council reads its own codes from its designs (`GET design/{code}`). Codes follow Alloy's pattern
 * (`designs_<name>_<24 hex>`, `attributes_<design><Name>_<24 hex>`); the hex is made up.
 */

/** Attribute types as the simulator checks them. */
export type ExampleAttributeType = 'Text' | 'Number' | 'Boolean' | 'Date' | 'DateTime' | 'Link' | 'Geometry' | 'Files';

export interface ExampleAttribute {
  code: string;
  name: string;
  type: ExampleAttributeType;
  required?: boolean;
  maxLength?: number;
  /** For Link attributes: the design whose items it links to. */
  linkTo?: string;
}

export interface ExampleDesign {
  code: string;
  name: string;
  attributes: ExampleAttribute[];
  /** Which attributes an officer's status change sets (the simulator's setStatus). */
  workflow?: { status: string; note?: string };
}

/** An option item (a status, a category): an item of a small design, linked to by id. */
export interface ExampleOption {
  itemId: string;
  designCode: string;
  title: string;
}

const hex = (n: number): string => `6650a1c2e3b4d5f6a7b8${n.toString(16).padStart(4, '0')}`;
const design = (name: string, n: number): string => `designs_${name}_${hex(n)}`;
const attribute = (designName: string, name: string, n: number): string => `attributes_${designName}${name}_${hex(n)}`;

export const REPORT_STATUS_DESIGN = design('reportStatuses', 0x10);
export const REPORT_CATEGORY_DESIGN = design('reportCategories', 0x11);
export const WASTE_SERVICE_DESIGN = design('wasteServices', 0x12);
export const COLLECTION_STATUS_DESIGN = design('missedCollectionStatuses', 0x13);
export const ENQUIRY_STATUS_DESIGN = design('enquiryStatuses', 0x14);

/** Customer reports: potholes, lights, fly-tipping ... (street.report). */
export const REPORT = {
  design: design('customerReports', 0x01),
  summary: attribute('customerReports', 'Summary', 0x0101),
  explanation: attribute('customerReports', 'Explanation', 0x0102),
  category: attribute('customerReports', 'Category', 0x0103),
  reportedAt: attribute('customerReports', 'ReportedDateTime', 0x0104),
  lgxId: attribute('customerReports', 'LgxTransactionId', 0x0105),
  status: attribute('customerReports', 'Status', 0x0106),
  response: attribute('customerReports', 'ResponseToCustomer', 0x0107),
  usrn: attribute('customerReports', 'Usrn', 0x0108),
  location: attribute('customerReports', 'LocationDescription', 0x0109),
  asset: attribute('customerReports', 'AssetReference', 0x010a),
  hazard: attribute('customerReports', 'Hazard', 0x010b),
  reporterName: attribute('customerReports', 'ReporterName', 0x010c),
  reporterEmail: attribute('customerReports', 'ReporterEmail', 0x010d),
  attachments: attribute('customerReports', 'Attachments', 0x010e),
} as const;

/** Missed collections (waste.missedCollection). */
export const MISSED = {
  design: design('missedCollections', 0x02),
  uprn: attribute('missedCollections', 'Uprn', 0x0201),
  service: attribute('missedCollections', 'Service', 0x0202),
  scheduledDate: attribute('missedCollections', 'ScheduledDate', 0x0203),
  presented: attribute('missedCollections', 'ContainerPresented', 0x0204),
  notes: attribute('missedCollections', 'Notes', 0x0205),
  lgxId: attribute('missedCollections', 'LgxTransactionId', 0x0206),
  status: attribute('missedCollections', 'Status', 0x0207),
  crewComments: attribute('missedCollections', 'CrewComments', 0x0208),
  assisted: attribute('missedCollections', 'AssistedCollection', 0x0209),
  attachments: attribute('missedCollections', 'Photos', 0x020a),
} as const;

/** Customer enquiries (crm.case). */
export const ENQUIRY = {
  design: design('customerEnquiries', 0x03),
  subject: attribute('customerEnquiries', 'Subject', 0x0301),
  details: attribute('customerEnquiries', 'Details', 0x0302),
  enquiryType: attribute('customerEnquiries', 'EnquiryType', 0x0303),
  priority: attribute('customerEnquiries', 'Priority', 0x0304),
  contactName: attribute('customerEnquiries', 'ContactName', 0x0305),
  contactEmail: attribute('customerEnquiries', 'ContactEmail', 0x0306),
  contactPhone: attribute('customerEnquiries', 'ContactPhone', 0x0307),
  uprn: attribute('customerEnquiries', 'Uprn', 0x0308),
  lgxId: attribute('customerEnquiries', 'LgxTransactionId', 0x0309),
  status: attribute('customerEnquiries', 'Status', 0x030a),
  response: attribute('customerEnquiries', 'Response', 0x030b),
  attachments: attribute('customerEnquiries', 'Documents', 0x030c),
} as const;

const option = (n: number, designCode: string, title: string): ExampleOption => ({ itemId: hex(0x1000 + n), designCode, title });

/** Status and category option items, by a short name. */
export const OPTIONS = {
  reportStatus: {
    reported: option(1, REPORT_STATUS_DESIGN, 'Reported'),
    inspection: option(2, REPORT_STATUS_DESIGN, 'Awaiting inspection'),
    worksOrdered: option(3, REPORT_STATUS_DESIGN, 'Works ordered'),
    remedied: option(4, REPORT_STATUS_DESIGN, 'Remedied'),
    noAction: option(5, REPORT_STATUS_DESIGN, 'No action required'),
    notOurs: option(6, REPORT_STATUS_DESIGN, 'Not council responsibility'),
    duplicate: option(7, REPORT_STATUS_DESIGN, 'Duplicate'),
  },
  category: {
    carriageway: option(0x11, REPORT_CATEGORY_DESIGN, 'Carriageway defect'),
    footway: option(0x12, REPORT_CATEGORY_DESIGN, 'Footway defect'),
    lighting: option(0x13, REPORT_CATEGORY_DESIGN, 'Street lighting fault'),
    flyTipping: option(0x14, REPORT_CATEGORY_DESIGN, 'Fly-tipping'),
    graffiti: option(0x15, REPORT_CATEGORY_DESIGN, 'Graffiti'),
    cleansing: option(0x16, REPORT_CATEGORY_DESIGN, 'Street cleansing'),
    drainage: option(0x17, REPORT_CATEGORY_DESIGN, 'Drainage'),
    vehicles: option(0x18, REPORT_CATEGORY_DESIGN, 'Abandoned vehicle'),
    other: option(0x19, REPORT_CATEGORY_DESIGN, 'Other'),
  },
  wasteService: {
    refuse: option(0x21, WASTE_SERVICE_DESIGN, 'Refuse'),
    recycling: option(0x22, WASTE_SERVICE_DESIGN, 'Recycling'),
    garden: option(0x23, WASTE_SERVICE_DESIGN, 'Garden waste'),
    food: option(0x24, WASTE_SERVICE_DESIGN, 'Food waste'),
    other: option(0x25, WASTE_SERVICE_DESIGN, 'Other collection'),
  },
  collectionStatus: {
    logged: option(0x31, COLLECTION_STATUS_DESIGN, 'Logged'),
    returnScheduled: option(0x32, COLLECTION_STATUS_DESIGN, 'Crew returning'),
    collected: option(0x33, COLLECTION_STATUS_DESIGN, 'Collected'),
    notPresented: option(0x34, COLLECTION_STATUS_DESIGN, 'Not presented'),
    cancelled: option(0x35, COLLECTION_STATUS_DESIGN, 'Cancelled'),
  },
  enquiryStatus: {
    open: option(0x41, ENQUIRY_STATUS_DESIGN, 'Open'),
    withService: option(0x42, ENQUIRY_STATUS_DESIGN, 'With service'),
    resolved: option(0x43, ENQUIRY_STATUS_DESIGN, 'Resolved'),
    closed: option(0x44, ENQUIRY_STATUS_DESIGN, 'Closed'),
  },
} as const;

const optionDesign = (code: string, name: string): ExampleDesign => ({
  code,
  name,
  attributes: [{ code: 'attributes_itemsTitle', name: 'Title', type: 'Text', required: true, maxLength: 255 }],
});

/** Every design of the example customer, option designs included. */
export const EXAMPLE_DESIGNS: readonly ExampleDesign[] = [
  {
    code: REPORT.design,
    name: 'Customer Reports',
    attributes: [
      { code: 'attributes_itemsTitle', name: 'Title', type: 'Text', maxLength: 255 },
      { code: 'attributes_itemsGeometry', name: 'Geometry', type: 'Geometry' },
      { code: REPORT.summary, name: 'Summary', type: 'Text', required: true, maxLength: 255 },
      { code: REPORT.explanation, name: 'Explanation', type: 'Text', required: true, maxLength: 4000 },
      { code: REPORT.category, name: 'Category', type: 'Link', required: true, linkTo: REPORT_CATEGORY_DESIGN },
      { code: REPORT.reportedAt, name: 'Reported DateTime', type: 'DateTime' },
      { code: REPORT.lgxId, name: 'LGX Transaction Id', type: 'Text', maxLength: 128 },
      { code: REPORT.status, name: 'Status', type: 'Link', linkTo: REPORT_STATUS_DESIGN },
      { code: REPORT.response, name: 'Response To Customer', type: 'Text', maxLength: 4000 },
      { code: REPORT.usrn, name: 'USRN', type: 'Text', maxLength: 8 },
      { code: REPORT.location, name: 'Location Description', type: 'Text', maxLength: 500 },
      { code: REPORT.asset, name: 'Asset Reference', type: 'Text', maxLength: 128 },
      { code: REPORT.hazard, name: 'Hazard', type: 'Boolean' },
      { code: REPORT.reporterName, name: 'Reporter Name', type: 'Text', maxLength: 200 },
      { code: REPORT.reporterEmail, name: 'Reporter Email', type: 'Text', maxLength: 254 },
      { code: REPORT.attachments, name: 'Attachments', type: 'Files' },
    ],
    workflow: { status: REPORT.status, note: REPORT.response },
  },
  {
    code: MISSED.design,
    name: 'Missed Collections',
    attributes: [
      { code: 'attributes_itemsTitle', name: 'Title', type: 'Text', maxLength: 255 },
      { code: MISSED.uprn, name: 'UPRN', type: 'Text', required: true, maxLength: 12 },
      { code: MISSED.service, name: 'Service', type: 'Link', required: true, linkTo: WASTE_SERVICE_DESIGN },
      { code: MISSED.scheduledDate, name: 'Scheduled Date', type: 'Date', required: true },
      { code: MISSED.presented, name: 'Container Presented', type: 'Boolean' },
      { code: MISSED.notes, name: 'Notes', type: 'Text', maxLength: 4000 },
      { code: MISSED.lgxId, name: 'LGX Transaction Id', type: 'Text', maxLength: 128 },
      { code: MISSED.status, name: 'Status', type: 'Link', linkTo: COLLECTION_STATUS_DESIGN },
      { code: MISSED.crewComments, name: 'Crew Comments', type: 'Text', maxLength: 4000 },
      { code: MISSED.assisted, name: 'Assisted Collection', type: 'Boolean' },
      { code: MISSED.attachments, name: 'Photos', type: 'Files' },
    ],
    workflow: { status: MISSED.status, note: MISSED.crewComments },
  },
  {
    code: ENQUIRY.design,
    name: 'Customer Enquiries',
    attributes: [
      { code: 'attributes_itemsTitle', name: 'Title', type: 'Text', maxLength: 255 },
      { code: 'attributes_itemsGeometry', name: 'Geometry', type: 'Geometry' },
      { code: ENQUIRY.subject, name: 'Subject', type: 'Text', required: true, maxLength: 255 },
      { code: ENQUIRY.details, name: 'Details', type: 'Text', maxLength: 4000 },
      { code: ENQUIRY.enquiryType, name: 'Enquiry Type', type: 'Text', required: true, maxLength: 128 },
      { code: ENQUIRY.priority, name: 'Priority', type: 'Text', maxLength: 20 },
      { code: ENQUIRY.contactName, name: 'Contact Name', type: 'Text', maxLength: 200 },
      { code: ENQUIRY.contactEmail, name: 'Contact Email', type: 'Text', maxLength: 254 },
      { code: ENQUIRY.contactPhone, name: 'Contact Phone', type: 'Text', maxLength: 40 },
      { code: ENQUIRY.uprn, name: 'UPRN', type: 'Text', maxLength: 12 },
      { code: ENQUIRY.lgxId, name: 'LGX Transaction Id', type: 'Text', maxLength: 128 },
      { code: ENQUIRY.status, name: 'Status', type: 'Link', linkTo: ENQUIRY_STATUS_DESIGN },
      { code: ENQUIRY.response, name: 'Response', type: 'Text', maxLength: 4000 },
      { code: ENQUIRY.attachments, name: 'Documents', type: 'Files' },
    ],
    workflow: { status: ENQUIRY.status, note: ENQUIRY.response },
  },
  optionDesign(REPORT_STATUS_DESIGN, 'Report Statuses'),
  optionDesign(REPORT_CATEGORY_DESIGN, 'Report Categories'),
  optionDesign(WASTE_SERVICE_DESIGN, 'Waste Services'),
  optionDesign(COLLECTION_STATUS_DESIGN, 'Missed Collection Statuses'),
  optionDesign(ENQUIRY_STATUS_DESIGN, 'Enquiry Statuses'),
];

/** Every option item of the example customer. */
export const EXAMPLE_OPTIONS: readonly ExampleOption[] = Object.values(OPTIONS).flatMap((group) => Object.values(group));
