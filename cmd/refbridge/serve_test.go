package main

import (
	"io"
	"testing"
)

// TestServeWebhookFlags: serve's webhook flags and their environment
// variables.
func TestServeWebhookFlags(t *testing.T) {
	for _, tc := range []struct {
		name    string
		env     map[string]string
		args    []string
		workers int
		private bool
		bad     bool
	}{
		{name: "defaults", workers: 4},
		{name: "flags", args: []string{"--webhook-workers", "9", "--webhooks-allow-private"}, workers: 9, private: true},
		{name: "off", args: []string{"--webhook-workers", "0"}},
		{name: "env", env: map[string]string{"REFBRIDGE_WEBHOOKS_ALLOW_PRIVATE": "1", "REFBRIDGE_WEBHOOK_WORKERS": "2"}, workers: 2, private: true},
		{name: "flag over env", env: map[string]string{"REFBRIDGE_WEBHOOKS_ALLOW_PRIVATE": "1"}, args: []string{"--webhooks-allow-private=false"}, workers: 4},
		{name: "negative", args: []string{"--webhook-workers", "-1"}, bad: true},
		{name: "short lease", args: []string{"--webhook-lease", "10ms"}, bad: true},
		{name: "lease under 5s", args: []string{"--webhook-lease", "4s"}, bad: true},
		{name: "lease of 5s", args: []string{"--webhook-lease", "5s"}, workers: 4},
		{name: "lease under 5s from env", env: map[string]string{"REFBRIDGE_WEBHOOK_LEASE": "1s"}, bad: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for k, v := range tc.env {
				t.Setenv(k, v)
			}
			c, err := parseServe(tc.args, io.Discard)
			if tc.bad {
				if err == nil {
					t.Fatalf("parseServe(%q) accepted", tc.args)
				}
				return
			}
			if err != nil || c.workers != tc.workers || c.allowPrivate != tc.private {
				t.Fatalf("parseServe(%q) = workers %d, private %v, %v; want %d, %v", tc.args, c.workers, c.allowPrivate, err, tc.workers, tc.private)
			}
		})
	}
}
