import type { Converter } from './converters';

/**
 * payment v1 carried the amount as a decimal string of pounds ("12.50"); v2 carries integer pence
 * (`amountPence: 1250`) as GOV.UK Pay does. The conversion is done on the digits, never through a
 * floating-point number, so no amount is ever off by a penny.
 */
export const paymentV1ToV2: Converter = {
  type: 'payment',
  from: 1,
  to: 2,
  description: 'amount (decimal pounds string) becomes amountPence (integer pence)',
  convert(data: unknown): unknown {
    const { amount, ...rest } = data as { amount: string } & Record<string, unknown>;
    const m = /^(0|[1-9][0-9]{0,5})\.([0-9]{2})$/.exec(amount);
    if (!m) return data; // left for v2 validation to refuse, with the field named
    return { ...rest, amountPence: Number(m[1]) * 100 + Number(m[2]) };
  },
};
