// Package catalog is gwdoctor's vocabulary, written once: the cause IDs of
// a diagnosis with their titles, layers and explanations; the product slugs
// with their display names, roles and default timeouts; the HTTP statuses
// that gateways use for an upstream failure; and what to do about each
// cause, per product and protocol.
//
// The IDs and slugs are a public contract (JSON output, metric labels,
// URLs): they never change meaning, and new ones may be added. The
// document docs/causes.md is generated from this package (go test
// ./internal/catalog -update), and a test fails when it is stale.
//
// The package is a leaf: it imports only the standard library, holds no
// mutable state, and every other package that names a cause or a product
// takes it from here.
package catalog

//go:generate go test -run TestCausesDoc -update
