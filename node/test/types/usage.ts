// Compiled by types.test.mjs with `tsc --noEmit`: the public typings accept
// the documented uses and reject a misspelt option.

import {
  AaRotationError,
  AccessToken,
  ErrorCode,
  RotationClient,
  Secret,
  Simulator,
  StoredRecord,
  TokenServiceClient,
  decidePolicy,
  parseSecretBody,
  type RotationEvent,
  type RotationOutcome,
  type SecretStatus,
  type SecretStoreObject,
} from 'aa-rotation'

const records = new Map<string, { version: number; text: string }>()
const store: SecretStoreObject = {
  async get(entityId) {
    return records.get(entityId)?.text ?? null
  },
  async put(record: StoredRecord, expectedVersion) {
    if ((records.get(record.entityId)?.version ?? null) !== expectedVersion) return false
    records.set(record.entityId, { version: record.version, text: record.reveal() })
    return true
  },
}

export async function use(): Promise<void> {
  const sim = await Simulator.start({ entityTokenValiditySeconds: 60 })
  sim.addEntity({ entityId: 'AA-1', expiresInDays: 10 })
  sim.injectFault('secret_reset', { kind: 'html', status: 502 }, 1)

  const client = new RotationClient({
    entityId: 'AA-1',
    baseUrl: sim.baseUrl,
    username: 'ops@example.in',
    password: new Secret('password'),
    store,
    rotateBeforeDays: 30,
    logger: console,
    logLevel: 'debug',
  })
  client.on('rotated', (event: RotationEvent) => console.log(event.newFingerprint))

  const token: AccessToken = await client.accessToken()
  const header: string = `Bearer ${token.reveal()}`
  client.invalidate(token)
  const status: SecretStatus = await client.status()
  const outcome: RotationOutcome = await client.rotate({ force: true, dryRun: false })
  console.log(header.length, status.daysLeft, outcome.action, String(token))

  try {
    await client.recover()
  } catch (error) {
    if (error instanceof AaRotationError && error.code === ErrorCode.RATE_LIMITED) {
      console.log(error.retryAfter, error.status, error.txnId, error.cause?.code)
    }
  }

  const service = new TokenServiceClient({ environment: 'sandbox' })
  const userToken = await service.generateUserToken('ops@example.in', 'password')
  const read = await service.readSecret(userToken.token, 'AA-1')
  await service.generateEntityToken('AA-1', read.secret)

  console.log(parseSecretBody({ expiresOn: 1 }).error, decidePolicy({ now: new Date().toISOString() }).state)
  await sim.shutdown()
}

// @ts-expect-error a misspelt option is a type error
new RotationClient({ entityId: 'AA-1', entityID: 'AA-1' })
