/** Node 22 is the floor: libp2p 3 calls Promise.withResolvers, and better-sqlite3 13 crashes on older Node. */
export const MIN_NODE_MAJOR = 22

export function nodeVersionProblem (version = process.versions.node): string | undefined {
  const major = Number(version.split('.')[0])
  if (major >= MIN_NODE_MAJOR) return undefined
  return `taskmesh needs Node.js ${MIN_NODE_MAJOR} or newer; this is Node.js ${version}. Install Node 22 (https://nodejs.org, or: npm install --prefix ~/node22 node@22 and put ~/node22/node_modules/node/bin first in PATH).`
}
