import { describe, expect, it } from 'vitest'
import { redactUrl } from '../../src/util/redact-url.js'

describe('redactUrl', () => {
  it('hides the password of the user', () => {
    expect(redactUrl('postgres://taskmesh:hunter2@db.example:5432/taskmesh')).toBe('postgres://taskmesh:***@db.example:5432/taskmesh')
  })

  it('hides the values of query parameters named like a secret, whatever their case or spelling', () => {
    expect(redactUrl('postgres://u@h/db?password=hunter2')).toBe('postgres://u@h/db?password=***')
    expect(redactUrl('postgres://u@h/db?sslmode=require&sslpassword=hunter2&application_name=tm')).toBe('postgres://u@h/db?sslmode=require&sslpassword=***&application_name=tm')
    for (const name of ['PASSWORD', 'passwd', 'pwd', 'client_secret', 'token', 'access_token', 'api_key', 'apikey']) {
      expect(redactUrl(`https://h/p?${name}=hunter2`), name).toBe(`https://h/p?${name}=***`)
    }
    // the driver decodes names, so the match does too; the name is printed as given
    expect(redactUrl('postgres://u@h/db?pass%77ord=hunter2')).toBe('postgres://u@h/db?pass%77ord=***')
    expect(redactUrl('postgres://u@h/db?%zz=hunter2')).toBe('postgres://u@h/db?%zz=***')
  })

  it('keeps everything else as given: user, host, port, database, other parameters and their encoding', () => {
    for (const url of ['postgres://taskmesh@db.example:5432/taskmesh', 'postgres://u@h/db?application_name=my%20app+x&sslmode=require&sslkey=/etc/k.pem', 'postgres:///db?host=/var/run/postgresql', 'postgresql://u@[::1]:5432/db?password']) {
      expect(redactUrl(url)).toBe(url)
    }
  })

  it('prints nothing of a text that does not parse as a URL: it may hold a password anywhere', () => {
    expect(redactUrl('host=db password=hunter2', 'the address given by --database-url')).toBe('the address given by --database-url')
    expect(redactUrl('postgres://u:hunter2@h:99999/db')).not.toContain('hunter2')
  })
})
