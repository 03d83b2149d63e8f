// Prints the size of the built app, raw and gzip (what a browser downloads), per file and in total.
import { readdirSync, readFileSync, statSync } from 'node:fs'
import { join, relative } from 'node:path'
import { gzipSync } from 'node:zlib'

const dist = new URL('../dist/', import.meta.url).pathname
const files = []
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) walk(path)
    else if (/\.(js|css|html)$/.test(name)) files.push(path)
  }
}
walk(dist)
const kb = (n) => `${(n / 1024).toFixed(1)} kB`
let raw = 0
let gzip = 0
for (const path of files.sort()) {
  const data = readFileSync(path)
  const zipped = gzipSync(data, { level: 9 }).length
  raw += data.length
  gzip += zipped
  console.log(`  ${relative(dist, path).padEnd(40)} ${kb(data.length).padStart(10)}  gzip ${kb(zipped).padStart(9)}`)
}
console.log(`Flight App bundle: ${kb(raw)} raw, ${kb(gzip)} gzip (${files.length} files)`)
