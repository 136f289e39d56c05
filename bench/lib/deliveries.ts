/**
 * Okta Event Hook deliveries shaped like the ones Okta sends for a profile update (client,
 * actor, a User target, debug and security context: about 1.6 KB per event), built from a
 * template so the load generator spends microseconds, not milliseconds, on each unique body.
 * Every event has a fresh uuid and, unless told otherwise, a user never used before: the
 * service then does its full work (a new job per user, a first-seen event id) on every request.
 */

const UID = '@@UID@@'
const EID = '@@EID@@'
const TIME = '@@TIME@@'

function eventTemplate (): string {
  return JSON.stringify({
    uuid: EID,
    published: TIME,
    eventType: 'user.account.update_profile',
    version: '0',
    displayMessage: 'Update user profile for Okta',
    severity: 'INFO',
    client: {
      userAgent: { rawUserAgent: 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36', os: 'Windows 10', browser: 'CHROME' },
      zone: 'null',
      device: 'Computer',
      id: null,
      ipAddress: '203.0.113.24',
      geographicalContext: { city: 'Phoenix', state: 'Arizona', country: 'United States', postalCode: '85004', geolocation: { lat: 33.4484, lon: -112.074 } }
    },
    device: null,
    actor: { id: '00uadmin0000000000001', type: 'User', alternateId: 'it-admin@bench.example', displayName: 'IT Admin', detailEntry: null },
    outcome: { result: 'SUCCESS', reason: null },
    target: [{ id: UID, type: 'User', alternateId: 'someone@bench.example', displayName: 'Some One', detailEntry: null }],
    transaction: { type: 'WEB', id: 'ZmVuY2hXZWJUcmFuc2FjdGlvbklk', detail: { requestApiTokenId: null } },
    debugContext: {
      debugData: {
        requestId: 'ZmVuY2hSZXF1ZXN0SWQ0MjQy',
        requestUri: '/api/v1/users/someone/lifecycle/update',
        url: '/api/v1/users/someone?',
        changedAttributes: 'mobilePhone,title',
        dtHash: '9c3e1c0ad1b8d0f1b4e2a77c3f1f6a5e0d2c4b6a8e9f0a1b2c3d4e5f6a7b8c9d'
      }
    },
    legacyEventType: 'core.user.config.profile_update',
    authenticationContext: { authenticationProvider: null, credentialProvider: null, credentialType: null, issuer: null, authenticationStep: 0, externalSessionId: '102bench0000session', interface: null },
    securityContext: { asNumber: 7018, asOrg: 'at&t', isp: 'at&t', domain: 'att.net', isProxy: false },
    insertionTimestamp: null
  })
}

const EVENT = eventTemplate().split(/@@(?:UID|EID|TIME)@@/)
const ORDER = [...eventTemplate().matchAll(/@@(UID|EID|TIME)@@/g)].map((m) => m[1])

function event (userId: string, eventId: string, time: string): string {
  let out = EVENT[0] ?? ''
  for (let i = 0; i < ORDER.length; i++) {
    const key = ORDER[i]
    out += (key === 'UID' ? userId : key === 'EID' ? eventId : time) + (EVENT[i + 1] ?? '')
  }
  return out
}

let seq = 0
const RUN = Math.random().toString(36).slice(2, 8)

/** One delivery (a JSON string) with one event per given user id. */
export function oktaDelivery (userIds: string[]): string {
  const time = new Date().toISOString()
  const id = `${RUN}-${++seq}`
  const events = userIds.map((u, i) => event(u, `bench-${id}-${i}`, time))
  return `{"eventType":"com.okta.event_hook","eventTypeVersion":"1.0","cloudEventsVersion":"0.1","source":"https://bench.okta.example/api/v1/eventHooks/whobench0000001","eventId":"${id}","eventTime":"${time}","contentType":"application/json","data":{"events":[${events.join(',')}]}}`
}

let userSeq = 0
/** A delivery of `n` events for `n` users never seen before. */
export function freshDelivery (n: number): string {
  const users: string[] = []
  for (let i = 0; i < n; i++) users.push(`00ufresh${RUN}${(++userSeq).toString(36)}`)
  return oktaDelivery(users)
}

/** A Graph change-notification POST with `n` items, each for a user never seen before. */
export function graphNotifications (n: number, clientState: string, tenantId: string): string {
  const expires = new Date(Date.now() + 3 * 24 * 3600_000).toISOString()
  const items: string[] = []
  for (let i = 0; i < n; i++) {
    const u = `${RUN}0000-0000-4000-8000-${(++userSeq).toString(16).padStart(12, '0')}`
    items.push(JSON.stringify({
      subscriptionId: '7f105c7d-2dc5-4530-97cd-4e7ae6534c07',
      subscriptionExpirationDateTime: expires,
      changeType: 'updated',
      resource: `Users/${u}`,
      resourceData: { '@odata.type': '#Microsoft.Graph.User', '@odata.id': `Users/${u}`, id: u, organizationId: tenantId },
      clientState,
      tenantId
    }))
  }
  return `{"value":[${items.join(',')}]}`
}
