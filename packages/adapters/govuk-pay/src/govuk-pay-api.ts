/**
 * The parts of the GOV.UK Pay public API (OpenAPI "GOV.UK Pay API" 1.0.3) this adapter reads. Only
 * what it uses is typed; card details beyond the brand and the last four digits are never read.
 */

export type PayStatus = 'created' | 'started' | 'submitted' | 'capturable' | 'success' | 'failed' | 'cancelled' | 'error';

export interface PayState {
  status: string;
  finished?: boolean;
  code?: string;
  message?: string;
}

export interface PayLink {
  href?: string;
  method?: string;
}

/** CreatePaymentResult / PaymentWithAllLinks / PaymentDetailForSearch, as far as the adapter reads them. */
export interface PayPayment {
  payment_id: string;
  amount?: number;
  reference?: string;
  state: PayState;
  created_date?: string;
  provider_id?: string;
  card_details?: { card_brand?: string; last_digits_card_number?: string };
  refund_summary?: { status?: string; amount_available?: number; amount_submitted?: number };
  _links?: { next_url?: PayLink; self?: PayLink };
}

export interface PayRefund {
  refund_id: string;
  payment_id?: string;
  amount: number;
  status: string;
  created_date?: string;
}

export interface PayRefunds {
  payment_id?: string;
  _embedded?: { refunds?: PayRefund[] };
}

export interface PaySearchResults {
  total?: number;
  count?: number;
  page?: number;
  results?: PayPayment[];
  _links?: { next_page?: PayLink };
}

/** CreateCardPaymentRequest, as the adapter sends it. */
export interface PayCreateRequest {
  amount: number;
  reference: string;
  description: string;
  return_url: string;
  language?: 'en' | 'cy';
  email?: string;
  delayed_capture?: boolean;
  metadata?: Record<string, string | number | boolean>;
}

/** The error code of a GOV.UK Pay error body (`{ code, description }`), if it has one. */
export function payErrorCode(body: unknown): string | undefined {
  const code = (body as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^P[0-9]{4}$/.test(code) ? code : undefined;
}
