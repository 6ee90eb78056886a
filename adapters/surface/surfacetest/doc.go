// Package surfacetest holds the checks the vendor surfaces' tests share
// that need no server: ID codecs, request bodies and queries, the webhook
// renderers against the vendor's spec, samples and golden files, webhook
// signatures, and a webhook receiver on loopback. Like every package under
// adapters/, it imports nothing from proxy/ and no SQL driver; the harness
// that runs a surface over the engine and the proxy is proxy/surfacetest.
package surfacetest
