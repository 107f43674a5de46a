/** `node:dgram` in the browser worker's bundle: mDNS cannot run in a page, so nothing here is ever called. */
export function createSocket (): never {
  throw new Error('UDP is not available in a browser: give the admin\'s full address')
}
