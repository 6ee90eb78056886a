package main

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestAdminRequest(t *testing.T) {
	t.Parallel()
	tests := []struct {
		args         string
		method, path string
		body         string
		err          bool
	}{
		{"health", "GET", "/health", "", false},
		{"accounts list", "GET", "/accounts", "", false},
		{"accounts create acme", "POST", "/accounts", `{"Name":"acme"}`, false},
		{"credentials issue 1 irefer license_key 7", "POST", "/accounts/1/credentials", `{"CampaignID":"7","Kind":"license_key","Vendor":"irefer"}`, false},
		{"credentials revoke 1 9", "DELETE", "/accounts/1/credentials/9", "", false},
		{`campaigns create 1 {"Name":"Spring"}`, "POST", "/accounts/1/campaigns", `{"Name":"Spring"}`, false},
		{"rules delete 1 2 3", "DELETE", "/accounts/1/campaigns/2/rules/3", "", false},
		{"test clock 36h", "POST", "/test/clock", `{"Advance":"36h"}`, false},
		{"webhooks list 1", "GET", "/accounts/1/webhooks", "", false},
		{"webhooks list 1 rewardful", "GET", "/accounts/1/webhooks?vendor=rewardful", "", false},
		{`webhooks create 1 {"Vendor":"rewardful"}`, "POST", "/accounts/1/webhooks", `{"Vendor":"rewardful"}`, false},
		{`webhooks update 1 4 {"Enabled":false}`, "PATCH", "/accounts/1/webhooks/4", `{"Enabled":false}`, false},
		{"webhooks get 1 4", "GET", "/accounts/1/webhooks/4", "", false},
		{"webhooks delete 1 4", "DELETE", "/accounts/1/webhooks/4", "", false},
		{"webhooks enable 1 4", "POST", "/accounts/1/webhooks/4/enable", "", false},
		{"webhooks replay 1 4 17", "POST", "/accounts/1/webhooks/4/replay", `{"EventID":"17"}`, false},
		{"webhooks replay 1 4 2026-03-10T12:00:00Z", "POST", "/accounts/1/webhooks/4/replay", `{"Since":"2026-03-10T12:00:00Z"}`, false},
		{"webhooks deliveries 1", "GET", "/accounts/1/deliveries", "", false},
		{"webhooks deliveries 1 4 failed", "GET", "/accounts/1/deliveries?state=failed&webhook=4", "", false},
		{"webhooks replay 1 4", "", "", "", true},
		{"webhooks enable 1", "", "", "", true},
		{"webhooks deliveries", "", "", "", true},
		{"campaigns create 1 {not-json", "", "", "", true},
		{"accounts create", "", "", "", true},
		{"frobnicate", "", "", "", true},
		{"", "", "", "", true},
	}
	for _, tt := range tests {
		method, path, body, err := adminRequest(strings.Fields(tt.args))
		if (err != nil) != tt.err {
			t.Errorf("%q: err %v", tt.args, err)
			continue
		}
		if tt.err {
			continue
		}
		if method != tt.method || path != tt.path || string(body) != tt.body {
			t.Errorf("%q: got %s %s %s, want %s %s %s", tt.args, method, path, body, tt.method, tt.path, tt.body)
		}
	}
}

func TestAdminCommandTalksToTheAPI(t *testing.T) {
	t.Parallel()
	var got *http.Request
	var gotBody string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		got = r
		b, _ := io.ReadAll(r.Body)
		gotBody = string(b)
		if r.Header.Get("Authorization") != "Bearer tok" {
			w.WriteHeader(http.StatusUnauthorized)
			_, _ = w.Write([]byte(`{"error":{"code":"unauthorized"}}`))
			return
		}
		_, _ = w.Write([]byte(`{"ID":"1","Name":"acme"}`))
	}))
	defer srv.Close()
	var out, errOut bytes.Buffer
	err := run(context.Background(), []string{"admin", "-url", srv.URL, "-token", "tok", "accounts", "create", "acme"}, &out, &errOut)
	if err != nil {
		t.Fatalf("%v: %s", err, errOut.String())
	}
	if got.Method != "POST" || got.URL.Path != "/_refbridge/accounts" || gotBody != `{"Name":"acme"}` {
		t.Fatalf("sent %s %s %s", got.Method, got.URL.Path, gotBody)
	}
	if !strings.Contains(out.String(), `"Name": "acme"`) {
		t.Fatalf("printed %q, want the indented answer", out.String())
	}
	out.Reset()
	err = run(context.Background(), []string{"admin", "-url", srv.URL, "-token", "wrong", "accounts", "list"}, &out, &errOut)
	if err == nil || !strings.Contains(err.Error(), "401") || !strings.Contains(out.String(), "unauthorized") {
		t.Fatalf("a refused call: err %v, printed %q", err, out.String())
	}
}

// FuzzAdminRequest: any command line maps to an admin API call on a path
// under the API, with a JSON body if any, or to an error.
func FuzzAdminRequest(f *testing.F) {
	for _, s := range []string{"webhooks replay 1 4 2026-03-10T12:00:00Z", "webhooks deliveries 1 4 failed",
		`webhooks create 1 {"Vendor":"rewardful"}`, "webhooks list 1 a&b=c", "accounts create x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, line string) {
		method, path, body, err := adminRequest(strings.Fields(line))
		if err != nil {
			return
		}
		if method == "" || !strings.HasPrefix(path, "/") {
			t.Fatalf("%q: %s %q", line, method, path)
		}
		if body != nil && !json.Valid(body) {
			t.Fatalf("%q: body %q is not JSON", line, body)
		}
	})
}
