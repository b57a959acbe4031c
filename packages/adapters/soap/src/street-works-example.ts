import type { SoapAdapterConfig } from './config';

/** Credentials for the example: the council's Streetworks Exchange login. */
export interface StreetWorksCredentials {
  username: string;
  password: string;
}

/**
 * The mapping for Streetworks Exchange v2 by Kerbline Systems, a FICTIONAL street-works system (its
 * WSDL and simulator are in @lgx/adapter-soap/testing: `STREET_WORKS_WSDL`, `startStreetWorksSimulator`). It is
 * the worked example of a declarative SOAP mapping: canonical `street.report` to RaiseDefect and back,
 * GetWorkOrderStatus for getStatus, ListChangedWorkOrders for pollUpdates, login-token auth, fault
 * rules. `examples/street-works.json` is the same config with `${env:...}` placeholders for a stack file.
 */
export function streetWorksExampleConfig(wsdl: string, credentials: StreetWorksCredentials): SoapAdapterConfig {
  return {
    wsdl,
    timeoutMs: 15000,
    auth: {
      type: 'session',
      login: { operation: 'Login', args: { Username: credentials.username, Password: credentials.password }, tokenPath: 'Session.Token' },
      apply: { header: 'SessionToken' },
      ttlSeconds: 840,
    },
    check: { operation: 'Ping' },
    operations: {
      'street.report': {
        submit: {
          operation: 'RaiseDefect',
          request: STREET_REPORT_REQUEST,
          response: '{ "externalRef": DefectReference, "externalStatusCode": StatusCode, "acceptedAt": RaisedAt }',
        },
      },
    },
    status: {
      operation: 'GetWorkOrderStatus',
      request: '{ "DefectReference": externalRef }',
      response: '{ "externalRef": DefectReference, "externalStatusCode": StatusCode, "updatedAt": LastUpdated, "description": PublicNote }',
    },
    poll: {
      operation: 'ListChangedWorkOrders',
      request: '{ "SinceSequence": $exists(cursor) ? $number(cursor) : 0, "MaxResults": 100 }',
      response:
        '{ "updates": [Changes.Change.{ "externalRef": DefectReference, "updateId": $string(Sequence), "externalStatusCode": StatusCode, "updatedAt": ChangedAt, "description": PublicNote }], "cursor": $string(LastSequence) }',
    },
    statusMap: {
      RAISED: 'open',
      INSPECTED: 'investigating',
      SCHEDULED: 'action_scheduled',
      IN_PROGRESS: 'in_progress',
      COMPLETED: 'fixed',
      NOT_OURS: 'not_councils_responsibility',
      DUPLICATE: 'duplicate',
      CLOSED_NFA: 'no_further_action',
      CANCELLED: 'cancelled',
    },
    faultRules: [
      { code: 'InvalidCredentials', classification: 'auth' },
      { code: 'InvalidSession', classification: 'auth' },
      { code: 'SessionExpired', classification: 'auth' },
      { code: 'ValidationFailed', classification: 'permanent' },
      { code: 'UnknownDefect', classification: 'notFound' },
      { expression: '$string(Accepted) = "false"', vendorCode: 'RejectionCode', operations: ['RaiseDefect'], classification: 'permanent' },
    ],
  };
}

/**
 * canonical street.report -> RaiseDefect. ClientReference carries the envelope's idempotency key
 * (Streetworks Exchange dedupes on it). A council's own `defectType` mapping table, when the stack
 * has one, wins over the built-in kinds.
 */
const STREET_REPORT_REQUEST = `(
  $kinds := {
    "pothole": "POTHOLE", "road_defect": "CARRIAGEWAY", "pavement_defect": "FOOTWAY", "street_light": "LIGHTING",
    "fly_tipping": "FLYTIP", "graffiti": "GRAFFITI", "dog_fouling": "DOGFOUL", "abandoned_vehicle": "ABANDONED_VEHICLE",
    "litter": "LITTER", "blocked_drain": "DRAINAGE", "other": "OTHER"
  };
  $loc := data.location;
  $addr := $loc.address;
  $person := data.requester.person;
  {
    "ClientReference": idempotencykey,
    "DefectType": $exists($lookup($mappings.defectType, data.kind)) ? $lookup($mappings.defectType, data.kind) : $lookup($kinds, data.kind),
    "Priority": data.hazard = true ? "P1" : "P3",
    "Summary": data.title,
    "Description": data.description,
    "Location": {
      "Usrn": $loc.usrn,
      "Uprn": $loc.uprn,
      "Easting": $loc.bng.easting,
      "Northing": $loc.bng.northing,
      "Latitude": $loc.wgs84.lat,
      "Longitude": $loc.wgs84.lon,
      "AddressText": $addr ? $join([$addr.saon, $addr.paon, $addr.street, $addr.locality, $addr.town, $addr.postcode][$ != ""], ", "),
      "LocationNote": $loc.description
    },
    "AssetId": data.asset.reference,
    "Reporter": $person ? {
      "Name": $join([$person.givenName, $person.familyName], " "),
      "Email": $person.email,
      "Phone": $person.phone
    },
    "PhotoUrl": data.media[$exists(url)].url
  }
)`;
