/** Bad usage (an unknown option, a malformed argument): exit code 2. */
export class UsageError extends Error {}
