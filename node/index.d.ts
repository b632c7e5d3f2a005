// Public typings of aa-rotation. The result types (SecretStatus,
// RotationOutcome, …) are generated from the Rust addon into native.d.ts by
// `npm run build`; the classes below are the JavaScript layer in lib/.

import type {
  LastRotation,
  LeaseHolder,
  ParsedSecretBody,
  PolicyDecision,
  PolicyInput,
  RecoveryOutcome,
  RotationEvent,
  RotationOutcome,
  SecretStatus,
} from './native'

export type {
  LastRotation,
  LeaseHolder,
  ParsedSecretBody,
  PolicyDecision,
  PolicyInput,
  RecoveryOutcome,
  RotationEvent,
  RotationOutcome,
  SecretStatus,
}

/** Every error code of aa-rotation, one per error kind of the core. */
export type AaRotationErrorCode =
  | 'INVALID_USER_CREDENTIALS'
  | 'USER_TOKEN_REJECTED'
  | 'ENTITY_NOT_PERMITTED'
  | 'INVALID_ENTITY_SECRET'
  | 'BAD_REQUEST'
  | 'RATE_LIMITED'
  | 'SERVER_ERROR'
  | 'GATEWAY_ERROR'
  | 'REDIRECTED'
  | 'TIMEOUT'
  | 'CONNECTION'
  | 'MALFORMED_RESPONSE'
  | 'CONFIG'
  | 'STORE'
  | 'STORE_CONFLICT'
  | 'LEASE_HELD'
  | 'LEASE_LOST'
  | 'NOT_BOOTSTRAPPED'
  | 'ROTATION_FAILED'
  | 'HOST'

/** The error codes, keyed by themselves: `ErrorCode.RATE_LIMITED === 'RATE_LIMITED'`. */
export declare const ErrorCode: { readonly [Code in AaRotationErrorCode]: Code }

/**
 * The one error class of aa-rotation. Its message states what failed and what
 * to do next, and never contains a secret, password or token.
 */
export declare class AaRotationError extends Error {
  readonly name: 'AaRotationError'
  /** The stable error code. */
  readonly code: AaRotationErrorCode
  /** HTTP status, when the error came from an HTTP response. */
  readonly status?: number
  /** The service's `errorCode`. */
  readonly errorCode?: string
  /** The service's `errorMsg`, scrubbed of credentials and cut to 200 characters. */
  readonly errorMsg?: string
  /** The `txnId` of the failed request. */
  readonly txnId?: string
  /** The `Retry-After` delay in seconds, for `RATE_LIMITED`. */
  readonly retryAfter?: number
  /** True when a later attempt may succeed: 429, 5xx, gateway pages, timeouts, lost connections. */
  readonly transient: boolean
  /** True when the request may have taken effect: a timeout or a connection lost after sending. */
  readonly outcomeUnknown: boolean
  /** The rotation step that failed, for `ROTATION_FAILED`: `intent`, `reset`, `persist`, `verify` or `promote`. */
  readonly step?: string
  /** For `ROTATION_FAILED`: the innermost error, whose fields `status`, `errorCode`, … are copied here. */
  readonly cause?: AaRotationError
}

/**
 * A secret string: a client secret, password or token. `util.inspect`,
 * `JSON.stringify`, template strings and `toString()` all give
 * `[redacted]`; `reveal()` is the only way to the value.
 */
export declare class Secret {
  constructor(value: string)
  /** Returns the value itself. Never log or format the result. */
  reveal(): string
  toString(): '[redacted]'
  toJSON(): unknown
}

/**
 * An entity token: the bearer token for calls to other participants, with
 * its lifetime. Put `token.reveal()` in the `Authorization: Bearer` header.
 */
export declare class AccessToken extends Secret {
  /** When the token was received, as an RFC 3339 string. */
  readonly issuedAt: string
  /** When the token expires, as an RFC 3339 string. */
  readonly expiresAt: string
  /** Fingerprint of the secret the token was issued for. */
  readonly secretFingerprint: string
  /** The service's warning, such as the grace-period notice. */
  readonly warning: string | null
}

/**
 * The record a JavaScript store receives in `put()`. `reveal()` returns its
 * JSON text, secret values included: persist that text as it is (in a place
 * only this service can read) and return it from `get()`.
 */
export declare class StoredRecord extends Secret {
  readonly entityId: string
  /** The record's version; each write increments it. */
  readonly version: number
}

/**
 * A secret store written in JavaScript: a vault, a database, a cloud secret
 * manager. `put` must be a compare-and-set: store `record` only if the stored
 * record's version equals `expectedVersion` (`null`: only if there is none),
 * and resolve to whether it did. Throwing or rejecting fails the operation
 * with code `'HOST'`; a rotation interrupted that way is finished by the next
 * `recover()`.
 */
export interface SecretStoreObject {
  /** Resolves to the text last stored for `entityId` (`record.reveal()`), the StoredRecord itself, or null. */
  get(entityId: string): Promise<string | StoredRecord | null | undefined> | string | StoredRecord | null | undefined
  put(record: StoredRecord, expectedVersion: number | null): Promise<boolean> | boolean
  /** A description for status output; never include a password. Default `javascript:`. */
  describe?(): string
}

/**
 * Receives the core's log events, as `logger[method](message, fields)`.
 * `console`, pino (through a small adapter, see docs/node.md) and winston fit.
 */
export interface Logger {
  debug?(message: string, fields: Record<string, unknown>): void
  info?(message: string, fields: Record<string, unknown>): void
  warn?(message: string, fields: Record<string, unknown>): void
  error?(message: string, fields: Record<string, unknown>): void
}

/** The maximum level of detail passed to the logger. Trace events go to `debug()`. */
export type LogLevel = 'error' | 'warn' | 'info' | 'debug' | 'trace'

/** Settings of a RotationClient. Days, minutes and seconds may have fractions. */
export interface RotationClientOptions {
  /** The entity (AA, FIU or FIP) whose secret is managed. */
  entityId: string
  /** IAM base URL ending in `/iam`: `https://`, or plain `http://` to loopback only. */
  baseUrl?: string
  /** `'sandbox'`, `'uat'` or `'production'`, when no base URL is given. */
  environment?: string
  /** The designated user's username; needed to read and reset the secret. */
  username?: string
  /** The designated user's password. */
  password?: string | Secret
  /** The current secret, used when the store is empty and no designated user is configured. */
  secret?: string | Secret
  /**
   * The secret store: `'file:///path'`, a plain path, `'memory:'`, or a store
   * object. Default `'./aa-rotation-secret.json'` (mode 0600).
   */
  store?: string | SecretStoreObject
  /** Rotate when less than this many days remain. Default 30. */
  rotateBeforeDays?: number
  /** Rotate when the secret is older than this many days. */
  maxAgeDays?: number
  /** Validity requested on Reset, in days; the service caps it (180 today). */
  secretExpiryDays?: number
  /** When scheduled rotations may run, such as `'Mon-Fri 10:00-16:00 Asia/Kolkata'`. */
  window?: string
  /** Upper bound of a random delay added to a scheduled rotation, in minutes. */
  jitterMinutes?: number
  /** Days after expiry during which the service still issues entity tokens. Default 5. */
  gracePeriodDays?: number
  /** Path of a JSON-lines audit log of every event (mode 0600). */
  auditLog?: string
  /** How often the background schedule checks the secret, in minutes. Default 60. */
  checkIntervalMinutes?: number
  /** Time to connect to the Token Service, in seconds. Default 5. */
  connectTimeoutSeconds?: number
  /** Time for a whole request, in seconds. Default 15. */
  requestTimeoutSeconds?: number
  /** How long a rotation waits for another instance's lease, in seconds. Default 120. */
  leaseWaitSeconds?: number
  /** Attempts per idempotent Token Service call, the first included. Default 4. */
  maxAttempts?: number
  /** Receives log events; silent when absent. Never receives a secret. */
  logger?: Logger
  /** Default `'info'`. */
  logLevel?: LogLevel
}

/** Options of RotationClient.fromEnv(); everything else comes from `AA_ROTATION_*` variables. */
export interface FromEnvOptions {
  store?: string | SecretStoreObject
  logger?: Logger
  logLevel?: LogLevel
}

/** Names accepted by RotationClient.on(). */
export type RotationEventName =
  | 'event'
  | 'rotated'
  | 'not_due'
  | 'rotation_failed'
  | 'expiry_warning'
  | 'grace_period_warning'
  | 'drift_healed'
  | 'recovered'

/** Rotation, status and entity tokens for one entity. */
export declare class RotationClient {
  /**
   * Builds a client. Makes no network call and touches no file; an invalid
   * option throws an AaRotationError with code `'CONFIG'`.
   */
  constructor(options: RotationClientOptions)
  /** Builds a client from the `AA_ROTATION_*` variables of `process.env`, as the command line reads them. */
  static fromEnv(options?: FromEnvOptions): RotationClient
  /** The entity this client manages. */
  readonly entityId: string
  /** The store's description, such as `file:///var/lib/aa/secret.json`. */
  readonly store: string
  /**
   * Returns a valid entity token. While the cached token is fresh, this
   * resolves at once without calling into the addon. The core refreshes at
   * 80% of a token's life, and concurrent callers share one request.
   */
  accessToken(): Promise<AccessToken>
  /**
   * Drops the cached entity token after a peer rejected it (HTTP 401); with a
   * token, only if it is still the cached one.
   */
  invalidate(token?: AccessToken | string): void
  /** The stored secret's status; bootstraps an empty store. */
  status(): Promise<SecretStatus>
  /** Rotates now if the secret is due, or in any case with `force`; `dryRun` only reports. */
  rotate(options?: { force?: boolean; dryRun?: boolean }): Promise<RotationOutcome>
  /** Recovers an interrupted rotation, then rotates when the policy, window and jitter allow it. */
  ensureFresh(): Promise<RotationOutcome>
  /** Finishes an interrupted rotation, or heals drift when the stored secret is rejected. */
  recover(): Promise<RecoveryOutcome>
  /**
   * Starts the background schedule: recover once, then check every check
   * interval and rotate when due. Does not keep the process alive.
   */
  start(): Promise<void>
  /** Stops the background schedule. */
  stop(): void
  /** Stops the schedule and releases listeners and logger; token calls keep working, without the fast path. */
  close(): void
  /** Calls `listener` for each event named `name` (`'event'`: all of them). */
  on(name: RotationEventName, listener: (event: RotationEvent) => void): this
  /** Like on(), for the next event only. */
  once(name: RotationEventName, listener: (event: RotationEvent) => void): this
  /** Removes a listener added with on(). */
  off(name: RotationEventName, listener: (event: RotationEvent) => void): this
  toJSON(): { entityId: string; store: string }
}

/** The Token Service's address and HTTP settings, for TokenServiceClient. */
export interface TokenServiceOptions {
  baseUrl?: string
  environment?: string
  connectTimeoutSeconds?: number
  requestTimeoutSeconds?: number
  maxAttempts?: number
}

/** A user token of the designated user. */
export interface UserToken {
  token: Secret
  issuedAt: string
  expiresAt: string
}

/** The result of a secret read or reset. */
export interface SecretInfo {
  entityId: string
  secret: Secret
  fingerprint: string
  expiresAt: string | null
  /** `epoch_seconds`, `epoch_millis`, `expiration_date` or `unknown`. */
  expirySource: string
  message: string | null
  txnId: string | null
}

/** The Token Service's four calls, one request each (idempotent ones retried on transient failures). */
export declare class TokenServiceClient {
  constructor(options: TokenServiceOptions)
  readonly baseUrl: string
  generateUserToken(username: string, password: string | Secret): Promise<UserToken>
  readSecret(userToken: string | Secret, entityId: string): Promise<SecretInfo>
  /** Resets the secret; the old one stops working at once. Never retried. */
  resetSecret(userToken: string | Secret, entityId: string, options?: { secretExpiryDays?: number }): Promise<SecretInfo>
  generateEntityToken(entityId: string, secret: string | Secret): Promise<AccessToken>
}

/** Endpoints of the simulator that take faults. */
export type SimulatorEndpoint = 'user_token' | 'secret_read' | 'secret_reset' | 'entity_token' | 'oidc_token'

/** A fault for Simulator.injectFault(); see docs/simulator.md for each kind. */
export type SimulatorFault =
  | { kind: 'latency'; ms: number }
  | { kind: 'error'; status: number; errorCode?: string; errorMsg?: string }
  | { kind: 'html'; status: number }
  | { kind: 'empty'; status: number }
  | { kind: 'rate_limit'; retryAfter?: number }
  | { kind: 'drop_after_apply' }
  | { kind: 'hang_after_apply' }
  | { kind: 'expires_on_seconds' }
  | { kind: 'expiration_date_only' }
  | { kind: 'expires_on_out_of_range' }
  | { kind: 'unknown_fields' }
  | { kind: 'malformed_json' }
  | { kind: 'oversized'; bytes: number }
  | { kind: 'redirect'; location: string }
  | { kind: 'message'; message: string }

/** Settings of the simulator; every field is optional. */
export interface SimulatorConfig {
  userTokenValiditySeconds?: number
  entityTokenValiditySeconds?: number
  defaultSecretExpiryDays?: number
  maxSecretExpiryDays?: number
  gracePeriodDays?: number
  expiresOnUnit?: 'ms' | 's'
  expirationDateOffsetMinutes?: number
}

/** The simulator's counters. */
export interface SimulatorCounters {
  calls: { userToken: number; secretRead: number; secretReset: number; entityToken: number; oidcToken: number }
  resets: Record<string, number>
  entities: Record<string, { fingerprint: string; expiresAt: number | null; createdAt: number }>
}

/** The Token Service simulator, in process on 127.0.0.1, for tests. */
export declare class Simulator {
  private constructor()
  static start(config?: SimulatorConfig): Promise<Simulator>
  /** The IAM base URL, `http://127.0.0.1:PORT/iam`. */
  readonly baseUrl: string
  /** The root URL, under which the HTTP controls live at `/_sim/`. */
  readonly rootUrl: string
  addUser(user: { username: string; password: string | Secret; entities?: string[]; passwordExpiresAt?: Date | number }): void
  addEntity(entity: { entityId: string; secret?: string | Secret; expiresAt?: Date | number; expiresInDays?: number }): void
  seed(document: { users?: unknown[]; entities?: unknown[] }): void
  advanceClock(seconds: number): void
  now(): string
  injectFault(endpoint: SimulatorEndpoint, fault: SimulatorFault, count?: number): void
  clearFaults(): void
  counters(): SimulatorCounters
  currentSecret(entityId: string): Secret | null
  setConfig(config: SimulatorConfig): void
  shutdown(): Promise<void>
}

/** Parses the expiry of a secret Read or Reset response body, as the client does. */
export declare function parseSecretBody(body: string | object): ParsedSecretBody

/** Runs the rotation policy on one secret. */
export declare function decidePolicy(input: PolicyInput): PolicyDecision
