import { builder } from '../builder.js';

/** Amounts are SafeInt so an out-of-range value reaches validation and gets a typed InvalidInput. */
export const ResourceAmountInput = builder.inputType('ResourceAmountInput', {
  fields: (t) => ({
    resourceClass: t.string({ required: true }),
    amount: t.field({ type: 'SafeInt', required: true }),
  }),
});
