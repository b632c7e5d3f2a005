// The ECMAScript module entry point: the same objects as index.js.

import aaRotation from './index.js'

export const {
  RotationClient,
  TokenServiceClient,
  Simulator,
  AaRotationError,
  ErrorCode,
  Secret,
  AccessToken,
  StoredRecord,
  parseSecretBody,
  decidePolicy,
} = aaRotation

export default aaRotation
