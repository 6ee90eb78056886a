// Package openapi embeds the OpenAPI 3 descriptions of the five vendor APIs
// that refbridge speaks and parses them with kin-openapi.
//
// The YAML files beside this file are the single source of truth for every
// vendor surface: the typed clients in client/<vendor> are generated from
// them, and the proxy validates requests and responses against them at run
// time.
package openapi

import (
	"context"
	"embed"
	"fmt"
	"slices"
	"sync"

	"github.com/getkin/kin-openapi/openapi3"
)

//go:embed *.yaml
var files embed.FS

// Vendor names one vendor API surface. Its value is the base name of the
// vendor's spec file and of its generated client package.
type Vendor string

// The five vendor surfaces refbridge models.
const (
	ReferralRocket Vendor = "referralrocket"
	GrowSurf       Vendor = "growsurf"
	ReferralHero   Vendor = "referralhero"
	Rewardful      Vendor = "rewardful"
	IRefer         Vendor = "irefer"
)

var vendors = []Vendor{ReferralRocket, GrowSurf, ReferralHero, Rewardful, IRefer}

// Vendors returns every modelled vendor in a fixed order.
func Vendors() []Vendor { return slices.Clone(vendors) }

// Known reports whether v is one of the modelled vendors.
func (v Vendor) Known() bool { return slices.Contains(vendors, v) }

// Raw returns the YAML text of vendor v's spec.
func Raw(v Vendor) ([]byte, error) {
	if !v.Known() {
		return nil, fmt.Errorf("openapi: unknown vendor %q", v)
	}
	return files.ReadFile(string(v) + ".yaml")
}

// Load parses vendor v's spec and validates it with kin-openapi, examples
// included. Every call returns a fresh document, so callers may mutate it
// (for example to replace its servers) without affecting each other.
func Load(v Vendor) (*openapi3.T, error) {
	data, err := Raw(v)
	if err != nil {
		return nil, err
	}
	loader := openapi3.NewLoader()
	doc, err := loader.LoadFromData(data)
	if err != nil {
		return nil, fmt.Errorf("openapi: parse %s: %w", v, err)
	}
	if err := doc.Validate(context.Background(), openapi3.EnableExamplesValidation()); err != nil {
		return nil, fmt.Errorf("openapi: validate %s: %w", v, err)
	}
	return doc, nil
}

// shared maps each vendor Shared was asked for to its sync.OnceValues
// loader. It starts empty on purpose: a package-level
// sync.OnceValues(...Load...) is built by the package's init, so the linker
// keeps the loader (kin-openapi's and the spec's) in every program that
// imports the package, used or not; an SDK program opening a vendor backend
// links its adapter without ever serving the vendor's API.
var shared sync.Map // Vendor -> func() (*openapi3.T, error)

// Shared returns vendor v's spec, loaded (see Load) once per process on
// first use. Every caller gets the same document and must not modify it.
func Shared(v Vendor) (*openapi3.T, error) {
	if !v.Known() {
		return nil, fmt.Errorf("openapi: unknown vendor %q", v)
	}
	load, _ := shared.LoadOrStore(v, sync.OnceValues(func() (*openapi3.T, error) { return Load(v) }))
	return load.(func() (*openapi3.T, error))()
}
