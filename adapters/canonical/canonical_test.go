package canonical_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"testing"

	"github.com/refbridge/refbridge/adapters/canonical"
)

func TestAllOperationsCoverTheContract(t *testing.T) {
	t.Parallel()
	ops := canonical.AllOperations()
	for _, want := range []canonical.Operation{"CreateParticipant", "Leaderboard", "PayPayout", "TrackConversion", "CampaignStats"} {
		if !slices.Contains(ops, want) {
			t.Errorf("AllOperations lacks %s", want)
		}
	}
	if slices.Contains(ops, "Capabilities") || !slices.IsSorted(ops) || len(ops) < 50 {
		t.Errorf("AllOperations = %d ops, sorted %v", len(ops), slices.IsSorted(ops))
	}
	// The list is written out (see allOperations): it must name exactly
	// the Backend methods but Capabilities.
	var methods []canonical.Operation
	bt := reflect.TypeFor[canonical.Backend]()
	for i := range bt.NumMethod() {
		if name := bt.Method(i).Name; name != "Capabilities" {
			methods = append(methods, canonical.Operation(name))
		}
	}
	slices.Sort(methods)
	if !slices.Equal(ops, methods) {
		t.Errorf("AllOperations = %v\nBackend's methods = %v", ops, methods)
	}
	c := canonical.Capabilities{Backend: "partial", Operations: []canonical.Operation{"GetCampaign"}}
	if !c.Supports("GetCampaign") || c.Supports("CreateParticipant") || len(c.Unsupported()) != len(ops)-1 {
		t.Errorf("capabilities = supports %v, unsupported %d", c.Supports("GetCampaign"), len(c.Unsupported()))
	}
}

func TestNativeRoundTrip(t *testing.T) {
	t.Parallel()
	var n canonical.Native
	n.Set(canonical.IRefer, "info_1", "blue")
	n.Set(canonical.ReferralHero, "extra_field", "x")
	n.Set(canonical.ReferralHero, "extra_field", nil) // deletes, and the empty vendor map with it
	if n.String(canonical.IRefer, "info_1") != "blue" || len(n) != 1 {
		t.Fatalf("native = %v", n)
	}
	clone := n.Clone()
	clone.Set(canonical.IRefer, "info_1", "red")
	if n.String(canonical.IRefer, "info_1") != "blue" {
		t.Error("Clone shares maps with the original")
	}
	p := canonical.Participant{Email: "a@example.com", Native: n}
	b, err := json.Marshal(p)
	if err != nil {
		t.Fatal(err)
	}
	var back canonical.Participant
	if err := json.Unmarshal(b, &back); err != nil {
		t.Fatal(err)
	}
	if back.Native.String(canonical.IRefer, "info_1") != "blue" || back.Email != "a@example.com" {
		t.Errorf("round trip = %+v from %s", back, b)
	}
	if first, last := canonical.SplitName("Ana María Ruiz"); first != "Ana" || last != "María Ruiz" ||
		(canonical.Participant{FirstName: first, LastName: last}).Name() != "Ana María Ruiz" {
		t.Errorf("SplitName = %q %q", first, last)
	}
}
