import { randomBytes } from 'node:crypto';
import { openStateFile, startSoapSimulator, type Fault, type SoapSimulator } from '@lgx/testkit';
import { field, soapFaultError, text } from './soap-args';

/** Target namespace of the fictional Streetworks Exchange service. */
export const STREET_WORKS_NAMESPACE = 'http://kerbline.example/streetworks-exchange/v2';

/**
 * The WSDL of "Streetworks Exchange" v2 by Kerbline Systems, a FICTIONAL vendor written for LGX tests
 * and demos. It describes no real product. Document/literal SOAP 1.1; Login returns a session token
 * that goes in the `SessionToken` SOAP header (or WS-Security UsernameToken, by simulator option).
 * Shipped as a string so it travels inside the built package without extra files.
 */
export const STREET_WORKS_WSDL = `<?xml version="1.0" encoding="UTF-8"?>
<!-- Streetworks Exchange v2 (Kerbline Systems). FICTIONAL: written for LGX tests; no real vendor's API. -->
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
                  xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
                  xmlns:xsd="http://www.w3.org/2001/XMLSchema"
                  xmlns:tns="${STREET_WORKS_NAMESPACE}"
                  targetNamespace="${STREET_WORKS_NAMESPACE}"
                  name="StreetworksExchange">
  <wsdl:types>
    <xsd:schema targetNamespace="${STREET_WORKS_NAMESPACE}" elementFormDefault="qualified">
      <xsd:element name="SessionToken" type="xsd:string"/>

      <xsd:element name="Login">
        <xsd:complexType><xsd:sequence>
          <xsd:element name="Username" type="xsd:string"/>
          <xsd:element name="Password" type="xsd:string"/>
        </xsd:sequence></xsd:complexType>
      </xsd:element>
      <xsd:element name="LoginResponse">
        <xsd:complexType><xsd:sequence>
          <xsd:element name="Session">
            <xsd:complexType><xsd:sequence>
              <xsd:element name="Token" type="xsd:string"/>
              <xsd:element name="ExpiresInSeconds" type="xsd:int"/>
            </xsd:sequence></xsd:complexType>
          </xsd:element>
        </xsd:sequence></xsd:complexType>
      </xsd:element>

      <xsd:element name="Ping">
        <xsd:complexType><xsd:sequence/></xsd:complexType>
      </xsd:element>
      <xsd:element name="PingResponse">
        <xsd:complexType><xsd:sequence>
          <xsd:element name="ServiceVersion" type="xsd:string"/>
        </xsd:sequence></xsd:complexType>
      </xsd:element>

      <xsd:complexType name="DefectLocation">
        <xsd:sequence>
          <xsd:element name="Usrn" type="xsd:string" minOccurs="0"/>
          <xsd:element name="Uprn" type="xsd:string" minOccurs="0"/>
          <xsd:element name="Easting" type="xsd:int" minOccurs="0"/>
          <xsd:element name="Northing" type="xsd:int" minOccurs="0"/>
          <xsd:element name="Latitude" type="xsd:decimal" minOccurs="0"/>
          <xsd:element name="Longitude" type="xsd:decimal" minOccurs="0"/>
          <xsd:element name="AddressText" type="xsd:string" minOccurs="0"/>
          <xsd:element name="LocationNote" type="xsd:string" minOccurs="0"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:complexType name="Reporter">
        <xsd:sequence>
          <xsd:element name="Name" type="xsd:string" minOccurs="0"/>
          <xsd:element name="Email" type="xsd:string" minOccurs="0"/>
          <xsd:element name="Phone" type="xsd:string" minOccurs="0"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:element name="RaiseDefect">
        <xsd:complexType><xsd:sequence>
          <xsd:element name="ClientReference" type="xsd:string"/>
          <xsd:element name="DefectType" type="xsd:string"/>
          <xsd:element name="Priority" type="xsd:string" minOccurs="0"/>
          <xsd:element name="Summary" type="xsd:string" minOccurs="0"/>
          <xsd:element name="Description" type="xsd:string"/>
          <xsd:element name="Location" type="tns:DefectLocation"/>
          <xsd:element name="AssetId" type="xsd:string" minOccurs="0"/>
          <xsd:element name="Reporter" type="tns:Reporter" minOccurs="0"/>
          <xsd:element name="PhotoUrl" type="xsd:string" minOccurs="0" maxOccurs="unbounded"/>
        </xsd:sequence></xsd:complexType>
      </xsd:element>
      <xsd:element name="RaiseDefectResponse">
        <xsd:complexType><xsd:sequence>
          <xsd:element name="Accepted" type="xsd:boolean"/>
          <xsd:element name="DefectReference" type="xsd:string" minOccurs="0"/>
          <xsd:element name="StatusCode" type="xsd:string" minOccurs="0"/>
          <xsd:element name="RaisedAt" type="xsd:dateTime" minOccurs="0"/>
          <xsd:element name="RejectionCode" type="xsd:string" minOccurs="0"/>
          <xsd:element name="RejectionReason" type="xsd:string" minOccurs="0"/>
        </xsd:sequence></xsd:complexType>
      </xsd:element>

      <xsd:element name="GetWorkOrderStatus">
        <xsd:complexType><xsd:sequence>
          <xsd:element name="DefectReference" type="xsd:string"/>
        </xsd:sequence></xsd:complexType>
      </xsd:element>
      <xsd:element name="GetWorkOrderStatusResponse">
        <xsd:complexType><xsd:sequence>
          <xsd:element name="DefectReference" type="xsd:string"/>
          <xsd:element name="StatusCode" type="xsd:string"/>
          <xsd:element name="LastUpdated" type="xsd:dateTime"/>
          <xsd:element name="PublicNote" type="xsd:string" minOccurs="0"/>
        </xsd:sequence></xsd:complexType>
      </xsd:element>

      <xsd:complexType name="WorkOrderChange">
        <xsd:sequence>
          <xsd:element name="Sequence" type="xsd:long"/>
          <xsd:element name="DefectReference" type="xsd:string"/>
          <xsd:element name="StatusCode" type="xsd:string"/>
          <xsd:element name="ChangedAt" type="xsd:dateTime"/>
          <xsd:element name="PublicNote" type="xsd:string" minOccurs="0"/>
        </xsd:sequence>
      </xsd:complexType>
      <xsd:element name="ListChangedWorkOrders">
        <xsd:complexType><xsd:sequence>
          <xsd:element name="SinceSequence" type="xsd:long"/>
          <xsd:element name="MaxResults" type="xsd:int" minOccurs="0"/>
        </xsd:sequence></xsd:complexType>
      </xsd:element>
      <xsd:element name="ListChangedWorkOrdersResponse">
        <xsd:complexType><xsd:sequence>
          <xsd:element name="Changes" minOccurs="0">
            <xsd:complexType><xsd:sequence>
              <xsd:element name="Change" type="tns:WorkOrderChange" minOccurs="0" maxOccurs="unbounded"/>
            </xsd:sequence></xsd:complexType>
          </xsd:element>
          <xsd:element name="LastSequence" type="xsd:long"/>
        </xsd:sequence></xsd:complexType>
      </xsd:element>
    </xsd:schema>
  </wsdl:types>

  <wsdl:message name="SessionHeader"><wsdl:part name="token" element="tns:SessionToken"/></wsdl:message>
  <wsdl:message name="LoginIn"><wsdl:part name="parameters" element="tns:Login"/></wsdl:message>
  <wsdl:message name="LoginOut"><wsdl:part name="parameters" element="tns:LoginResponse"/></wsdl:message>
  <wsdl:message name="PingIn"><wsdl:part name="parameters" element="tns:Ping"/></wsdl:message>
  <wsdl:message name="PingOut"><wsdl:part name="parameters" element="tns:PingResponse"/></wsdl:message>
  <wsdl:message name="RaiseDefectIn"><wsdl:part name="parameters" element="tns:RaiseDefect"/></wsdl:message>
  <wsdl:message name="RaiseDefectOut"><wsdl:part name="parameters" element="tns:RaiseDefectResponse"/></wsdl:message>
  <wsdl:message name="GetWorkOrderStatusIn"><wsdl:part name="parameters" element="tns:GetWorkOrderStatus"/></wsdl:message>
  <wsdl:message name="GetWorkOrderStatusOut"><wsdl:part name="parameters" element="tns:GetWorkOrderStatusResponse"/></wsdl:message>
  <wsdl:message name="ListChangedWorkOrdersIn"><wsdl:part name="parameters" element="tns:ListChangedWorkOrders"/></wsdl:message>
  <wsdl:message name="ListChangedWorkOrdersOut"><wsdl:part name="parameters" element="tns:ListChangedWorkOrdersResponse"/></wsdl:message>

  <wsdl:portType name="ExchangePortType">
    <wsdl:operation name="Login"><wsdl:input message="tns:LoginIn"/><wsdl:output message="tns:LoginOut"/></wsdl:operation>
    <wsdl:operation name="Ping"><wsdl:input message="tns:PingIn"/><wsdl:output message="tns:PingOut"/></wsdl:operation>
    <wsdl:operation name="RaiseDefect"><wsdl:input message="tns:RaiseDefectIn"/><wsdl:output message="tns:RaiseDefectOut"/></wsdl:operation>
    <wsdl:operation name="GetWorkOrderStatus"><wsdl:input message="tns:GetWorkOrderStatusIn"/><wsdl:output message="tns:GetWorkOrderStatusOut"/></wsdl:operation>
    <wsdl:operation name="ListChangedWorkOrders"><wsdl:input message="tns:ListChangedWorkOrdersIn"/><wsdl:output message="tns:ListChangedWorkOrdersOut"/></wsdl:operation>
  </wsdl:portType>

  <wsdl:binding name="ExchangeBinding" type="tns:ExchangePortType">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="Login">
      <soap:operation soapAction="${STREET_WORKS_NAMESPACE}/Login"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
    <wsdl:operation name="Ping">
      <soap:operation soapAction="${STREET_WORKS_NAMESPACE}/Ping"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
    <wsdl:operation name="RaiseDefect">
      <soap:operation soapAction="${STREET_WORKS_NAMESPACE}/RaiseDefect"/>
      <wsdl:input><soap:header message="tns:SessionHeader" part="token" use="literal"/><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
    <wsdl:operation name="GetWorkOrderStatus">
      <soap:operation soapAction="${STREET_WORKS_NAMESPACE}/GetWorkOrderStatus"/>
      <wsdl:input><soap:header message="tns:SessionHeader" part="token" use="literal"/><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
    <wsdl:operation name="ListChangedWorkOrders">
      <soap:operation soapAction="${STREET_WORKS_NAMESPACE}/ListChangedWorkOrders"/>
      <wsdl:input><soap:header message="tns:SessionHeader" part="token" use="literal"/><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
  </wsdl:binding>

  <wsdl:service name="StreetworksExchangeService">
    <wsdl:port name="ExchangePort" binding="tns:ExchangeBinding">
      <soap:address location="https://streetworks-exchange.kerbline.invalid/soap/v2"/>
    </wsdl:port>
  </wsdl:service>
</wsdl:definitions>
`;

/** Test credentials the simulator accepts by default (fictional, for tests only). */
export const STREET_WORKS_USERNAME = 'council-integration';
export const STREET_WORKS_PASSWORD = 'exchange-test-password';

/** Defect types Streetworks Exchange knows. */
export const STREET_WORKS_DEFECT_TYPES = [
  'POTHOLE',
  'CARRIAGEWAY',
  'FOOTWAY',
  'LIGHTING',
  'FLYTIP',
  'GRAFFITI',
  'DOGFOUL',
  'ABANDONED_VEHICLE',
  'LITTER',
  'DRAINAGE',
  'OTHER',
] as const;

/** Status codes a defect goes through in Streetworks Exchange. */
export type StreetWorksStatusCode =
  'RAISED' | 'INSPECTED' | 'SCHEDULED' | 'IN_PROGRESS' | 'COMPLETED' | 'NOT_OURS' | 'DUPLICATE' | 'CLOSED_NFA' | 'CANCELLED';

export interface StreetWorksDefect {
  reference: string;
  clientReference: string;
  defectType: string;
  priority: string;
  description: string;
  location: Record<string, unknown>;
  assetId: string | undefined;
  statusCode: StreetWorksStatusCode;
  note: string | undefined;
  raisedAt: string;
  updatedAt: string;
}

export interface StreetWorksChange {
  sequence: number;
  reference: string;
  statusCode: StreetWorksStatusCode;
  changedAt: string;
  note: string | undefined;
}

export interface StreetWorksState {
  defects: Map<string, StreetWorksDefect>;
  /** ClientReference -> defect reference: a repeated RaiseDefect returns the first defect. */
  byClientReference: Map<string, string>;
  changes: StreetWorksChange[];
  /** Session token -> expiry (ms since epoch). */
  sessions: Map<string, number>;
  logins: number;
  /** The sequence number of the last change. */
  sequence: number;
}

export interface StreetWorksSimulatorOptions {
  /** `session` (default): Login, then the `SessionToken` header. `wsSecurity`: a UsernameToken on every call. */
  auth?: 'session' | 'wsSecurity';
  username?: string;
  password?: string;
  /** How long a session lasts (default 15 minutes); Login answers it as ExpiresInSeconds. */
  sessionTtlMs?: number;
  /** Service path (default `/streetworks/v2`). */
  path?: string;
  maxBodyBytes?: number;
  /** Port (default: any free port). */
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Folder to keep defects, changes and sessions in (`street-works.json`), so a restart continues the numbering. Default: memory only. */
  stateDir?: string;
}

/** The Streetworks Exchange simulator: a stateful fictional street-works SOAP system. */
export interface StreetWorksSimulator extends SoapSimulator {
  state: StreetWorksState;
  /** The back office moves a defect on (as an officer would), recording a change for ListChangedWorkOrders. */
  setStatus(reference: string, statusCode: StreetWorksStatusCode, note?: string): void;
  /** Every session ends now, as at a nightly restart: the next call meets a SessionExpired fault. */
  expireSessions(): void;
}

const MAX_DESCRIPTION = 2000;
const MAX_RESULTS = 500;

/**
 * A response body that declares a DOCTYPE with an external entity, for `faults.failNext`: a SOAP
 * client must refuse it unread. E.g. `sim.faults.failNext(1, hostileXmlFault())`.
 */
export function hostileXmlFault(): Fault {
  const body = `<?xml version="1.0"?><!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]><soap:Envelope xmlns:soap="http://schemas.xmlsoap.org/soap/envelope/"><soap:Body><RaiseDefectResponse xmlns="${STREET_WORKS_NAMESPACE}"><Accepted>true</Accepted><DefectReference>&xxe;</DefectReference></RaiseDefectResponse></soap:Body></soap:Envelope>`;
  return { malformed: true, body, contentType: 'text/xml; charset=utf-8' };
}

/**
 * Starts Streetworks Exchange (fictional) on 127.0.0.1, on the testkit's SOAP simulator, so the
 * shared faults (failNext, latency, down, rateLimit) apply. Documented rules it honours:
 * - auth: Login(Username, Password) answers a token for the `SessionToken` header; a wrong password
 *   is the fault `sw:InvalidCredentials`, a missing or unknown token `sw:InvalidSession`, an expired
 *   one `sw:SessionExpired`. With `auth: 'wsSecurity'` a UsernameToken is checked on every call instead.
 * - RaiseDefect dedupes on ClientReference (the same reference again answers the first defect);
 *   a bad DefectType, an empty or over-long Description or a Location with nothing in it is the fault
 *   `sw:ValidationFailed`; a USRN starting 99 (not a street the authority maintains) is answered
 *   `Accepted=false` with RejectionCode `OUT_OF_AREA`.
 * - GetWorkOrderStatus of an unknown reference is the fault `sw:UnknownDefect`.
 * - ListChangedWorkOrders answers changes after SinceSequence, oldest first, at most MaxResults.
 */
export async function startStreetWorksSimulator(options: StreetWorksSimulatorOptions = {}): Promise<StreetWorksSimulator> {
  const username = options.username ?? STREET_WORKS_USERNAME;
  const password = options.password ?? STREET_WORKS_PASSWORD;
  const ttlMs = options.sessionTtlMs ?? 15 * 60_000;
  const mode = options.auth ?? 'session';
  const file = options.stateDir === undefined ? undefined : openStateFile<StreetWorksState>(options.stateDir, 'street-works');
  const state: StreetWorksState = {
    defects: new Map(),
    byClientReference: new Map(),
    changes: [],
    sessions: new Map(),
    logins: 0,
    sequence: 0,
    ...file?.load(),
  };
  // Saved before the answer leaves, so a reference the client has seen is never given out again.
  const save = (): Promise<void> => (file ? file.save(state) : Promise.resolve());

  const record = (defect: StreetWorksDefect): void => {
    state.changes.push({
      sequence: ++state.sequence,
      reference: defect.reference,
      statusCode: defect.statusCode,
      changedAt: defect.updatedAt,
      note: defect.note,
    });
  };

  const authorise = (headers: unknown): void => {
    if (mode === 'wsSecurity') {
      const token = field(field(headers, 'Security'), 'UsernameToken');
      if (text(field(token, 'Username')) !== username || text(field(token, 'Password')) !== password) {
        throw soapFaultError('wsse:FailedAuthentication', 'The security token could not be authenticated');
      }
      return;
    }
    const token = text(field(headers, 'SessionToken'));
    const expires = token === undefined ? undefined : state.sessions.get(token);
    if (expires === undefined) throw soapFaultError('sw:InvalidSession', 'No valid session: call Login first');
    if (Date.now() >= expires) {
      state.sessions.delete(token!);
      throw soapFaultError('sw:SessionExpired', 'The session has expired');
    }
  };

  const raise = (args: Record<string, unknown>): Record<string, unknown> => {
    const clientReference = text(args.ClientReference)?.trim() ?? '';
    if (clientReference === '' || clientReference.length > 128)
      throw soapFaultError('sw:ValidationFailed', 'ClientReference is required (at most 128 characters)');
    const existing = state.byClientReference.get(clientReference);
    if (existing !== undefined) {
      const defect = state.defects.get(existing)!;
      return { Accepted: true, DefectReference: defect.reference, StatusCode: defect.statusCode, RaisedAt: defect.raisedAt };
    }
    const defectType = text(args.DefectType) ?? '';
    if (!(STREET_WORKS_DEFECT_TYPES as readonly string[]).includes(defectType))
      throw soapFaultError('sw:ValidationFailed', 'DefectType is not one of the known defect types');
    const description = text(args.Description) ?? '';
    if (description.trim() === '' || description.length > MAX_DESCRIPTION)
      throw soapFaultError('sw:ValidationFailed', `Description is required (at most ${MAX_DESCRIPTION} characters)`);
    const rawLocation = field(args, 'Location');
    const location: Record<string, unknown> = {};
    for (const key of ['Usrn', 'Uprn', 'Easting', 'Northing', 'Latitude', 'Longitude', 'AddressText', 'LocationNote']) {
      const value = text(field(rawLocation, key));
      if (value !== undefined && value !== '') location[key] = value;
    }
    const locatable =
      location.Usrn !== undefined ||
      location.Uprn !== undefined ||
      location.AddressText !== undefined ||
      (location.Easting !== undefined && location.Northing !== undefined) ||
      (location.Latitude !== undefined && location.Longitude !== undefined);
    if (!locatable) throw soapFaultError('sw:ValidationFailed', 'Location needs a USRN, a UPRN, an address, or a coordinate pair');
    if (typeof location.Usrn === 'string' && location.Usrn.startsWith('99')) {
      return { Accepted: false, RejectionCode: 'OUT_OF_AREA', RejectionReason: 'The street is not maintained by this authority' };
    }
    const now = new Date().toISOString();
    const defect: StreetWorksDefect = {
      reference: `DEF-${String(state.defects.size + 1).padStart(6, '0')}`,
      clientReference,
      defectType,
      priority: text(args.Priority) ?? 'P3',
      description,
      location,
      assetId: text(args.AssetId),
      statusCode: 'RAISED',
      note: undefined,
      raisedAt: now,
      updatedAt: now,
    };
    state.defects.set(defect.reference, defect);
    state.byClientReference.set(clientReference, defect.reference);
    record(defect);
    return { Accepted: true, DefectReference: defect.reference, StatusCode: defect.statusCode, RaisedAt: defect.raisedAt };
  };

  const sim = await startSoapSimulator({
    wsdl: STREET_WORKS_WSDL,
    path: options.path ?? '/streetworks/v2',
    ...(options.maxBodyBytes !== undefined ? { maxBodyBytes: options.maxBodyBytes } : {}),
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    implementation: {
      StreetworksExchangeService: {
        ExchangePort: {
          Login: async (args: Record<string, unknown>) => {
            if (text(args.Username) !== username || text(args.Password) !== password)
              throw soapFaultError('sw:InvalidCredentials', 'Username or password not recognised');
            const token = randomBytes(18).toString('base64url');
            state.sessions.set(token, Date.now() + ttlMs);
            state.logins++;
            await save();
            return { Session: { Token: token, ExpiresInSeconds: Math.floor(ttlMs / 1000) } };
          },
          Ping: (_args: unknown, _cb: unknown, headers: unknown) => {
            if (mode === 'wsSecurity') authorise(headers);
            return { ServiceVersion: '2.4.1' };
          },
          RaiseDefect: async (args: Record<string, unknown>, _cb: unknown, headers: unknown) => {
            authorise(headers);
            const answer = raise(args);
            await save();
            return answer;
          },
          GetWorkOrderStatus: (args: Record<string, unknown>, _cb: unknown, headers: unknown) => {
            authorise(headers);
            const defect = state.defects.get(text(args.DefectReference) ?? '');
            if (!defect) throw soapFaultError('sw:UnknownDefect', 'No defect with that reference');
            return {
              DefectReference: defect.reference,
              StatusCode: defect.statusCode,
              LastUpdated: defect.updatedAt,
              ...(defect.note !== undefined ? { PublicNote: defect.note } : {}),
            };
          },
          ListChangedWorkOrders: (args: Record<string, unknown>, _cb: unknown, headers: unknown) => {
            authorise(headers);
            const since = Number(text(args.SinceSequence) ?? '0');
            const max = Number(text(args.MaxResults) ?? '100');
            if (!Number.isInteger(since) || since < 0 || !Number.isInteger(max) || max < 1 || max > MAX_RESULTS) {
              throw soapFaultError('sw:ValidationFailed', `SinceSequence must be a whole number >= 0 and MaxResults 1-${MAX_RESULTS}`);
            }
            const page = state.changes.filter((c) => c.sequence > since).slice(0, max);
            return {
              ...(page.length
                ? {
                    Changes: {
                      Change: page.map((c) => ({
                        Sequence: c.sequence,
                        DefectReference: c.reference,
                        StatusCode: c.statusCode,
                        ChangedAt: c.changedAt,
                        ...(c.note !== undefined ? { PublicNote: c.note } : {}),
                      })),
                    },
                  }
                : {}),
              LastSequence: page.at(-1)?.sequence ?? since,
            };
          },
        },
      },
    },
  });

  return {
    ...sim,
    state,
    close: async () => {
      await sim.close();
      await file?.flush();
    },
    reset: () => {
      sim.reset();
      state.defects.clear();
      state.byClientReference.clear();
      state.changes.length = 0;
      state.sessions.clear();
      state.logins = 0;
      state.sequence = 0;
      void save();
    },
    setStatus: (reference, statusCode, note) => {
      const defect = state.defects.get(reference);
      if (!defect) throw new RangeError(`no defect ${reference}`);
      defect.statusCode = statusCode;
      defect.note = note;
      defect.updatedAt = new Date().toISOString();
      record(defect);
      void save();
    },
    expireSessions: () => {
      for (const token of state.sessions.keys()) state.sessions.set(token, 0);
      void save();
    },
  };
}
