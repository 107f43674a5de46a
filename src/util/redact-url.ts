/**
 * Query parameters that carry a secret: libpq's `password` and `sslpassword`, and whatever else is named like
 * one (`passwd`, `pwd`, `client_secret`, `token`, `api_key`). Not libpq's `sslkey`: that is a file's path,
 * which the driver's own errors name anyway.
 */
const SECRET_PARAMETER = /pass|pwd|secret|token|api_?key/i

const HIDDEN = '***'

/**
 * A URL as it may be printed in a message or a log: the user's password and the values of secret query
 * parameters replaced by `***`, the rest kept as given. Text that does not parse as a URL may hold a
 * password anywhere, so none of it is printed: `unparsable` is returned instead.
 */
export function redactUrl (url: string, unparsable = 'a URL that does not parse'): string {
  let u: URL
  try {
    u = new URL(url)
  } catch {
    return unparsable
  }
  if (u.password !== '') u.password = HIDDEN
  // parameter by parameter, so the others keep their spelling (searchParams would encode them again)
  if (u.search.length > 1) u.search = u.search.slice(1).split('&').map(redactParameter).join('&')
  return u.toString()
}

function redactParameter (parameter: string): string {
  const eq = parameter.indexOf('=')
  if (eq < 0) return parameter
  const name = parameter.slice(0, eq)
  return isSecret(name) ? `${name}=${HIDDEN}` : parameter
}

/** Names are matched decoded, as the database driver reads them (`pass%77ord` is `password`). */
function isSecret (name: string): boolean {
  try {
    return SECRET_PARAMETER.test(decodeURIComponent(name.replaceAll('+', ' ')))
  } catch {
    // not decodable: the driver may still read something from it
    return true
  }
}
