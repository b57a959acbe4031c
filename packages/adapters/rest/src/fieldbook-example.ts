import type { RestAdapterConfig } from './config';

/** What the example needs to reach a Fieldbook: its API base and the council's OAuth 2.0 client. */
export interface FieldbookConnection {
  /** The API base, e.g. https://fieldbook.example/v2. */
  baseUrl: string;
  tokenUrl: string;
  clientId: string;
  clientSecret: string;
  /** The OpenAPI document to check the requests against (a file or URL), when given. */
  openapi?: string;
}

/**
 * canonical street.report -> POST /requests. clientReference carries the LGX transaction id, so a
 * repeat is found by GET /requests?clientReference= (look-up idempotency). A council's own
 * `fieldbookCategory` mapping table, when the stack has one, wins over the built-in categories.
 */
const STREET_REPORT_BODY = `(
  $categories := {
    "pothole": "ROAD_DEFECT", "road_defect": "ROAD_DEFECT", "pavement_defect": "FOOTWAY_DEFECT", "street_light": "STREET_LIGHT",
    "fly_tipping": "FLY_TIP", "graffiti": "GRAFFITI", "dog_fouling": "CLEANSING", "litter": "CLEANSING",
    "abandoned_vehicle": "ABANDONED_VEHICLE", "blocked_drain": "DRAINAGE", "other": "OTHER"
  };
  $loc := data.location;
  $addr := $loc.address;
  $person := data.requester.person;
  {
    "category": $exists($lookup($mappings.fieldbookCategory, data.kind)) ? $lookup($mappings.fieldbookCategory, data.kind) : $lookup($categories, data.kind),
    "title": data.title,
    "description": data.description,
    "location": {
      "lat": $loc.wgs84.lat,
      "lng": $loc.wgs84.lon,
      "usrn": $loc.usrn,
      "uprn": $loc.uprn,
      "address": $addr ? $join([$addr.saon, $addr.paon, $addr.street, $addr.locality, $addr.town, $addr.postcode][$ != ""], ", "),
      "note": $loc.description
    },
    "clientReference": id,
    "hazard": data.hazard,
    "assetId": data.asset.reference,
    "reporter": $person ? { "name": $join([$person.givenName, $person.familyName], " "), "email": $person.email, "phone": $person.phone },
    "photos": data.media[$exists(url)].url
  }
)`;

/** canonical waste.missedCollection -> POST /requests, deduplicated by Idempotency-Key. */
const MISSED_BIN_BODY = `(
  $services := { "refuse": "REFUSE", "absorbent_hygiene": "REFUSE", "clinical": "REFUSE", "recycling": "RECYCLING", "paper_card": "RECYCLING",
    "glass": "RECYCLING", "garden": "GARDEN", "food": "FOOD" };
  {
    "category": "MISSED_BIN",
    "description": $join(["Missed " & data.service & " collection", data.notes], ". "),
    "location": { "uprn": data.uprn, "note": data.containerLocation },
    "service": $exists($lookup($services, data.service)) ? $lookup($services, data.service) : "OTHER",
    "scheduledDate": data.scheduledDate,
    "reporter": data.requester.person ? { "name": $join([data.requester.person.givenName, data.requester.person.familyName], " "), "email": data.requester.person.email, "phone": data.requester.person.phone },
    "photos": data.media[$exists(url)].url
  }
)`;

const RECEIPT = '{ "externalRef": id, "externalStatusCode": state, "acceptedAt": createdAt, "url": links.self }';

/**
 * The mapping for the Fieldbook Requests API v2, a FICTIONAL field-service system (its OpenAPI
 * document and simulator are in @lgx/adapter-rest/testing): the worked example of a declarative REST
 * configuration. It shows both idempotency methods (a look-up for street reports, Idempotency-Key for
 * missed bins), OAuth 2.0 client credentials, error rules for the system's quirks (a 200 that is a
 * refusal, maintenance with the delay in the body, 423 while a record is being edited), status by
 * look-up and a change feed whose cursor is the last sequence number. `examples/fieldbook.json` is the
 * same configuration with `${env:...}` placeholders for a stack file.
 */
export function fieldbookExampleConfig(connection: FieldbookConnection): RestAdapterConfig {
  return {
    baseUrl: connection.baseUrl,
    timeoutMs: 15000,
    ...(connection.openapi !== undefined ? { openapi: connection.openapi } : {}),
    auth: {
      type: 'oauth2ClientCredentials',
      tokenUrl: connection.tokenUrl,
      clientId: connection.clientId,
      clientSecret: connection.clientSecret,
      scope: 'requests:write',
    },
    operations: {
      'street.report': {
        submit: {
          method: 'POST',
          path: '/requests',
          body: STREET_REPORT_BODY,
          response: RECEIPT,
          idempotency: {
            lookup: {
              method: 'GET',
              path: '/requests',
              query: '{ "clientReference": id }',
              response: `results[0] ? results[0].${RECEIPT}`,
            },
          },
        },
      },
      'waste.missedCollection': {
        submit: {
          method: 'POST',
          path: '/requests',
          body: MISSED_BIN_BODY,
          response: RECEIPT,
          idempotency: { header: 'Idempotency-Key', value: 'idempotencykey' },
        },
      },
    },
    status: {
      method: 'GET',
      path: '/requests/{externalRef}',
      response:
        '{ "externalRef": id, "externalStatusCode": state, "updatedAt": stateChangedAt, "description": publicNote, "updateId": id & ":" & stateChangedAt }',
    },
    poll: {
      method: 'GET',
      path: '/changes',
      query: '{ "after": $exists(cursor) ? cursor : "0", "limit": 100 }',
      response:
        '{ "updates": [changes.{ "externalRef": requestId, "updateId": $string(sequence), "externalStatusCode": state, "updatedAt": changedAt, "description": publicNote }], "cursor": $string(lastSequence) }',
    },
    check: { method: 'GET', path: '/changes', query: '{ "after": 0, "limit": 1 }' },
    statusMap: {
      received: 'open',
      triaged: 'investigating',
      scheduled: 'action_scheduled',
      in_progress: 'in_progress',
      completed: 'fixed',
      closed_no_action: 'no_further_action',
      rejected: 'not_councils_responsibility',
      duplicate: 'duplicate',
    },
    errorRules: [
      { status: 200, when: 'accepted = false', classification: 'permanent', vendorCode: 'reason' },
      {
        status: 503,
        when: 'error.code = "MAINTENANCE"',
        classification: 'rateLimited',
        vendorCode: 'error.code',
        retryAfterSeconds: 'error.retryInSeconds',
      },
      { status: 423, calls: ['getStatus'], classification: 'retryable', vendorCode: 'error.code' },
    ],
  };
}
