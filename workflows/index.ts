/** The worker's workflow bundle entry: every workflow the product runs. */
export { bookingSaga } from './booking-saga';
export { catalogueImport } from './catalogue-import';
export { waitlistOfferChain } from './waitlist-offer-chain';
export { webhookDelivery } from './webhook-delivery';
