import { openStateFile, startSoapSimulator, type SoapSimulator } from '@lgx/testkit';
import { field, soapFaultError, text } from './soap-args';

/**
 * "Acme Revenues", a FICTIONAL on-premises council tax system with a WSDL and no published API: the
 * kind of system the declarative SOAP adapter is for, served from the testkit's SOAP simulator and
 * connected by configuration only (`revenuesMapping` below). The LGX demo and `lgx simulate` use it.
 */
const NS = 'urn:example:acme-revenues:v1';

export const REVENUES_WSDL = `<?xml version="1.0" encoding="UTF-8"?>
<!-- Acme Revenues (FICTIONAL, written for the LGX demo). -->
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/" xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
                  xmlns:xsd="http://www.w3.org/2001/XMLSchema" xmlns:tns="${NS}" targetNamespace="${NS}" name="AcmeRevenues">
  <wsdl:types>
    <xsd:schema targetNamespace="${NS}" elementFormDefault="qualified">
      <xsd:element name="RecordMove">
        <xsd:complexType><xsd:sequence>
          <xsd:element name="ClientReference" type="xsd:string"/>
          <xsd:element name="AccountRef" type="xsd:string" minOccurs="0"/>
          <xsd:element name="MoveType" type="xsd:string"/>
          <xsd:element name="MoveOutUprn" type="xsd:string" minOccurs="0"/>
          <xsd:element name="MoveOutDate" type="xsd:string" minOccurs="0"/>
          <xsd:element name="MoveInUprn" type="xsd:string" minOccurs="0"/>
          <xsd:element name="MoveInDate" type="xsd:string" minOccurs="0"/>
          <xsd:element name="SinglePersonDiscount" type="xsd:boolean" minOccurs="0"/>
        </xsd:sequence></xsd:complexType>
      </xsd:element>
      <xsd:element name="RecordMoveResponse">
        <xsd:complexType><xsd:sequence>
          <xsd:element name="CaseReference" type="xsd:string"/>
          <xsd:element name="CaseStatus" type="xsd:string"/>
          <xsd:element name="Received" type="xsd:string"/>
        </xsd:sequence></xsd:complexType>
      </xsd:element>
    </xsd:schema>
  </wsdl:types>
  <wsdl:message name="RecordMoveIn"><wsdl:part name="parameters" element="tns:RecordMove"/></wsdl:message>
  <wsdl:message name="RecordMoveOut"><wsdl:part name="parameters" element="tns:RecordMoveResponse"/></wsdl:message>
  <wsdl:portType name="RevenuesPortType">
    <wsdl:operation name="RecordMove"><wsdl:input message="tns:RecordMoveIn"/><wsdl:output message="tns:RecordMoveOut"/></wsdl:operation>
  </wsdl:portType>
  <wsdl:binding name="RevenuesBinding" type="tns:RevenuesPortType">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="RecordMove">
      <soap:operation soapAction="${NS}/RecordMove"/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
  </wsdl:binding>
  <wsdl:service name="RevenuesService">
    <wsdl:port name="RevenuesPort" binding="tns:RevenuesBinding"><soap:address location="http://localhost/revenues"/></wsdl:port>
  </wsdl:service>
</wsdl:definitions>`;

export const REVENUES_USERNAME = 'lgx-demo';
export const REVENUES_PASSWORD = 'demo-revenues-password';

/** The @lgx/adapter-soap config that connects Acme Revenues: WSDL, operation and JSONata mappings. */
export function revenuesMapping(wsdlUrl: string): Record<string, unknown> {
  return {
    wsdl: wsdlUrl,
    timeoutMs: 5000,
    auth: { type: 'wsSecurity', username: REVENUES_USERNAME, password: '${env:REVENUES_PASSWORD}' },
    operations: {
      'councilTax.changeOfAddress': {
        submit: {
          operation: 'RecordMove',
          request:
            '{ "ClientReference": idempotencykey, "AccountRef": data.accountRef, "MoveType": data.moveType, "MoveOutUprn": data.moveOut.uprn, "MoveOutDate": data.moveOut.date, "MoveInUprn": data.moveIn.uprn, "MoveInDate": data.moveIn.date, "SinglePersonDiscount": data.singlePersonDiscountRequested }',
          response: '{ "externalRef": CaseReference, "externalStatusCode": CaseStatus, "acceptedAt": Received }',
        },
      },
    },
    statusMap: { LOGGED: 'open', '*': 'in_progress' },
  };
}

/** A council tax move case as Acme Revenues keeps it. */
export interface RevenuesCase {
  reference: string;
  moveType: string;
}

export interface RevenuesState {
  /** Cases by reference. */
  cases: Map<string, RevenuesCase>;
  /** ClientReference -> case reference: a repeated RecordMove answers the first case. */
  byClientReference: Map<string, string>;
}

export interface RevenuesSimulatorOptions {
  /** Port (default: any free port). */
  port?: number;
  /** Address to listen on (default 127.0.0.1). */
  host?: string;
  /** Folder to keep the cases in (`revenues.json`), so a restart continues the numbering. Default: memory only. */
  stateDir?: string;
}

export interface RevenuesSimulator extends SoapSimulator {
  state: RevenuesState;
  /** The cases (the same Map as `state.cases`). */
  cases: Map<string, RevenuesCase>;
}

/** Acme Revenues on 127.0.0.1: WS-Security UsernameToken, RecordMove deduplicated on ClientReference. */
export async function startRevenuesSimulator(options: RevenuesSimulatorOptions = {}): Promise<RevenuesSimulator> {
  const file = options.stateDir === undefined ? undefined : openStateFile<RevenuesState>(options.stateDir, 'revenues');
  const state: RevenuesState = { cases: new Map(), byClientReference: new Map(), ...file?.load() };
  const sim = await startSoapSimulator({
    wsdl: REVENUES_WSDL,
    path: '/revenues',
    ...(options.port !== undefined ? { port: options.port } : {}),
    ...(options.host !== undefined ? { host: options.host } : {}),
    implementation: {
      RevenuesService: {
        RevenuesPort: {
          RecordMove: async (args: Record<string, unknown>, _cb: unknown, headers: unknown) => {
            const token = field(field(headers, 'Security'), 'UsernameToken');
            if (text(field(token, 'Username')) !== REVENUES_USERNAME || text(field(token, 'Password')) !== REVENUES_PASSWORD) {
              throw soapFaultError('wsse:FailedAuthentication', 'The security token could not be authenticated');
            }
            const client = text(args.ClientReference) ?? '';
            let reference = state.byClientReference.get(client);
            if (!reference) {
              reference = `CTM-${String(state.cases.size + 1).padStart(5, '0')}`;
              state.cases.set(reference, { reference, moveType: text(args.MoveType) ?? '' });
              state.byClientReference.set(client, reference);
              // Saved before the answer leaves, so a reference the client has seen is never given out again.
              await file?.save(state);
            }
            return { CaseReference: reference, CaseStatus: 'LOGGED', Received: new Date().toISOString() };
          },
        },
      },
    },
  });
  return {
    ...sim,
    state,
    cases: state.cases,
    reset: () => {
      sim.reset();
      state.cases.clear();
      state.byClientReference.clear();
      void file?.save(state);
    },
    close: async () => {
      await sim.close();
      await file?.flush();
    },
  };
}
