import type { Channel } from '../generated/types';
import { defsEnum } from './defs-enum';

/** The channels a transaction can come in by (defs channel: the envelope's `channel`). */
export const CHANNELS: readonly Channel[] = defsEnum<Channel>('channel');
