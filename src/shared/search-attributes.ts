/**
 * Custom search attributes of the booking saga, registered on the Temporal server and
 * kept current by the workflow so operators can filter sagas in the Temporal UI
 * (for example `BookingStatus = "failed" AND SalonId = "..."`).
 */
import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

export const BookingIdKey = defineSearchAttributeKey('BookingId', SearchAttributeType.KEYWORD);
export const SalonIdKey = defineSearchAttributeKey('SalonId', SearchAttributeType.KEYWORD);
export const PriorityKey = defineSearchAttributeKey('Priority', SearchAttributeType.KEYWORD);
export const BookingStatusKey = defineSearchAttributeKey('BookingStatus', SearchAttributeType.KEYWORD);
export const NeedsAttentionKey = defineSearchAttributeKey('NeedsAttention', SearchAttributeType.BOOL);

const keys = [BookingIdKey, SalonIdKey, PriorityKey, BookingStatusKey, NeedsAttentionKey];

/** Name → server type, as `temporal server start-dev --search-attribute Name=Type` takes them. */
export const SEARCH_ATTRIBUTES: Readonly<Record<string, string>> = Object.fromEntries(
  keys.map((k) => [k.name, k.type === SearchAttributeType.BOOL ? 'Bool' : 'Keyword']),
);
