import { CHANNELS, type Channel } from '@lgx/core';

export type ChannelType = 'digital' | 'assisted-digital' | 'non-digital' | 'unknown';

/**
 * LGX channels as the Performance Platform's channels (its transactions-by-channel values) and
 * channel types. Citizen-submitted Open311 reports (FixMyStreet and the like) and apps are digital;
 * `api` stays apart (the Platform's digital take-up counted only `digital`), though its channel type
 * is digital. Staff keying a contact into the digital service is assisted digital. E-mail has no
 * Platform channel and is handled by hand, so it is its own channel, non-digital. A transaction sent
 * without a channel is `unknown` on both, and never counts as digital.
 */
const GDS: Readonly<Record<Channel, { channel: string; type: ChannelType }>> = {
  web: { channel: 'digital', type: 'digital' },
  app: { channel: 'digital', type: 'digital' },
  open311: { channel: 'digital', type: 'digital' },
  api: { channel: 'api', type: 'digital' },
  phone: { channel: 'telephone_human', type: 'non-digital' },
  face_to_face: { channel: 'face_to_face', type: 'non-digital' },
  post: { channel: 'paper_form', type: 'non-digital' },
  email: { channel: 'email', type: 'non-digital' },
  staff: { channel: 'assisted_digital', type: 'assisted-digital' },
};

const UNKNOWN = { channel: 'unknown', type: 'unknown' as ChannelType };

/** The report channel and channel type of a stored LGX channel ('' when none was sent). */
export function reportChannel(lgx: string): { channel: string; type: ChannelType } {
  return Object.hasOwn(GDS, lgx) ? GDS[lgx as Channel] : UNKNOWN;
}

/** Whether completed transactions on this LGX channel count as digital (digital or assisted digital). */
export function countsAsDigital(lgx: string): boolean {
  const { type } = reportChannel(lgx);
  return type === 'digital' || type === 'assisted-digital';
}

/** The stored LGX channels ('' for none) that a report channel or channel type value stands for. */
export function storedChannels(field: 'channel' | 'channel_type', value: string): string[] {
  const out = CHANNELS.filter((c) => (field === 'channel' ? GDS[c].channel : GDS[c].type) === value) as string[];
  if ((field === 'channel' ? UNKNOWN.channel : UNKNOWN.type) === value) out.push('');
  return out;
}
