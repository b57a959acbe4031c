/** A service (request category) as GET services answers it. */
export interface Open311Service {
  serviceCode: string;
  serviceName: string;
  description?: string;
  /** true: the service has attributes; fetch its definition. */
  metadata: boolean;
  type: 'realtime' | 'batch' | 'blackbox';
  /** Comma-separated keywords, split (mySociety reads flags such as `private`, `inactive`, `waste_only` here). */
  keywords: string[];
  /** `group`, or mySociety's `groups`. */
  groups: string[];
  /** Reports in this category are not to be shown publicly (mySociety: the `private` keyword, or `non_public`). */
  nonPublic: boolean;
  /** From GET services/{code}, when asked for. */
  attributes?: Open311Attribute[];
}

/** An attribute of a service definition (GET services/{code}). */
export interface Open311Attribute {
  code: string;
  /** false: shown to the user only, no input. */
  variable: boolean;
  /** string, number, datetime, text, singlevaluelist or multivaluelist. */
  datatype: string;
  required: boolean;
  order: number;
  description: string;
  datatypeDescription?: string;
  /** mySociety extension: `server_set` (the client fills it, e.g. easting) or `hidden_field`. */
  automated?: 'server_set' | 'hidden_field';
  values: Array<{ key: string; name: string }>;
}

/** A service request as GET requests/{id} answers it (the fields the adapter uses). */
export interface Open311ServiceRequest {
  serviceRequestId: string;
  status: string;
  statusNotes?: string;
  serviceCode?: string;
  serviceName?: string;
  requestedAt?: string;
  updatedAt?: string;
  expectedAt?: string;
  externalStatusCode?: string;
}

/** A mySociety service request update (GET servicerequestupdates). */
export interface Open311Update {
  updateId?: string;
  serviceRequestId: string;
  status: string;
  updatedAt: string;
  description?: string;
  externalStatusCode?: string;
}
