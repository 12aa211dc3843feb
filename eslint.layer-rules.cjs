// The layers of src/ and the owner of the booking documents; eslint.config.mjs applies
// these and test/unit/lint-layers.test.ts proves they bite.
const bookingOwner = {
  selector: "MemberExpression[property.name='Booking'][object.name='models'], MemberExpression[property.name='Booking'][object.property.name='models']",
  message: 'Booking documents are read and written through src/infra/bookings.ts (the booking repository) only.',
};

module.exports = [
  {
    files: ['src/domain/**/*.ts'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            { group: ['**/infra/**', '**/gateway/**', '**/activities/**', '**/workers/**'], message: 'src/domain is pure: it imports no infra, gateway, activity or worker code.' },
            { group: ['mongoose', 'mongodb', 'kafkajs', '@aws-sdk/*', 'stripe', 'express', '@temporalio/*'], message: 'src/domain is pure: no I/O libraries.' },
          ],
        },
      ],
    },
  },
  {
    files: ['src/infra/**/*.ts'],
    rules: {
      'no-restricted-imports': ['error', { patterns: [{ group: ['**/gateway/**'], message: 'src/infra does not depend on the gateway.' }] }],
    },
  },
  {
    files: ['src/**/*.ts', 'activities/**/*.ts', 'workers/**/*.ts', 'scripts/**/*.ts'],
    ignores: ['src/infra/bookings.ts'],
    rules: { 'no-restricted-syntax': ['error', bookingOwner] },
  },
];
