package main

import (
	"bytes"
	"context"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"runtime"
	"runtime/debug"
	"strings"
	"testing"
)

// cli runs the command line as main does and returns its exit status and
// output.
func cli(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = exitCode(run(context.Background(), args, &out, &errOut), &errOut)
	return code, out.String(), errOut.String()
}

// closedURL is the URL of a loopback port nothing listens on.
func closedURL(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	return "http://" + addr
}

// TestCLIHelp: -h and --help on every command print its usage to stdout
// and exit 0.
func TestCLIHelp(t *testing.T) {
	t.Parallel()
	commands := [][]string{{}, {"serve"}, {"migrate"}, {"admin"}, {"version"}, {"help"}}
	for _, c := range adminCommands {
		commands = append(commands, append([]string{"admin"}, strings.Fields(c.name)...))
	}
	for _, cmd := range commands {
		for _, flag := range []string{"-h", "--help"} {
			args := append(append([]string{}, cmd...), flag)
			t.Run(strings.Join(args, " "), func(t *testing.T) {
				t.Parallel()
				code, out, errOut := cli(t, args...)
				want := strings.Join(append([]string{"refbridge"}, cmd...), " ")
				if len(cmd) > 1 && cmd[0] == "admin" {
					want = "refbridge admin [-url URL] [-token TOKEN] " + strings.Join(cmd[1:], " ")
				}
				if len(cmd) == 0 || cmd[0] == "help" {
					want = "refbridge serve"
				}
				if code != 0 || !strings.Contains(out, "Usage") || !strings.Contains(out, want) || errOut != "" {
					t.Fatalf("%q: exit %d, stdout %q, stderr %q; want 0 and a usage naming %q on stdout", args, code, out, errOut, want)
				}
			})
		}
	}
	// "help COMMAND" is "COMMAND --help"; "admin help COMMAND" too.
	for _, tc := range []struct{ args, want string }{
		{"help migrate", "Usage: refbridge migrate"},
		{"help admin", "Usage: refbridge admin [-url URL] [-token TOKEN] <command>"},
		{"admin help", "Usage: refbridge admin [-url URL] [-token TOKEN] <command>"},
		{"admin help rules create", "Usage: refbridge admin [-url URL] [-token TOKEN] rules create ACCOUNT CAMPAIGN JSON"},
	} {
		code, out, _ := cli(t, strings.Fields(tc.args)...)
		if code != 0 || !strings.HasPrefix(out, tc.want) {
			t.Errorf("%q: exit %d, stdout %q; want 0 and %q", tc.args, code, out, tc.want)
		}
	}
}

// TestCLIVersion: version and --version print the build information and
// exit 0.
func TestCLIVersion(t *testing.T) {
	t.Parallel()
	for _, args := range [][]string{{"version"}, {"--version"}} {
		code, out, errOut := cli(t, args...)
		if code != 0 || !strings.HasPrefix(out, "refbridge ") || !strings.Contains(out, runtime.Version()) || errOut != "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, out, errOut)
		}
	}
	got := versionText(&debug.BuildInfo{
		GoVersion: "go1.99.0",
		Main:      debug.Module{Path: "github.com/refbridge/refbridge", Version: "v1.2.3"},
		Settings: []debug.BuildSetting{
			{Key: "-trimpath", Value: "true"},
			{Key: "vcs.revision", Value: "abc123"},
			{Key: "vcs.time", Value: "2026-01-02T03:04:05Z"},
			{Key: "vcs.modified", Value: "true"},
		},
	})
	for _, want := range []string{"refbridge v1.2.3\n", "vcs.revision  abc123", "vcs.time      2026-01-02T03:04:05Z", "vcs.modified  true", "go1.99.0"} {
		if !strings.Contains(got, want) {
			t.Errorf("versionText = %q, want it to contain %q", got, want)
		}
	}
	if strings.Contains(got, "trimpath") {
		t.Errorf("versionText = %q, shows a build flag", got)
	}
	if got := versionText(nil); !strings.HasPrefix(got, "refbridge (devel)\n") || !strings.Contains(got, runtime.Version()) {
		t.Errorf("versionText(nil) = %q", got)
	}
}

// TestCLIExitCodes: a wrong command line exits 2 with one line and a hint
// on stderr; a failure while running exits 1.
func TestCLIExitCodes(t *testing.T) {
	t.Parallel()
	closed := closedURL(t)
	failing := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Error(w, `{"error":"boom"}`, http.StatusInternalServerError)
	}))
	t.Cleanup(failing.Close)
	busy, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { busy.Close() })
	dir := t.TempDir()
	db := filepath.Join(dir, "refbridge.db")
	// A path under a regular file: no store can be opened there.
	file := filepath.Join(dir, "file")
	if err := os.WriteFile(file, nil, 0o600); err != nil {
		t.Fatal(err)
	}
	unopenable := filepath.Join(file, "x.db")

	for _, tc := range []struct {
		args []string
		code int
		hint string // the command whose --help a usage error names
	}{
		{nil, 2, "refbridge"},
		{[]string{"frobnicate"}, 2, "refbridge"},
		{[]string{"help", "frobnicate"}, 2, "refbridge help"},
		{[]string{"version", "extra"}, 2, "refbridge version"},
		{[]string{"version", "--nope"}, 2, "refbridge version"},
		{[]string{"serve", "--nope"}, 2, "refbridge serve"},
		{[]string{"serve", "extra"}, 2, "refbridge serve"},
		{[]string{"serve", "--webhook-workers", "many"}, 2, "refbridge serve"},
		{[]string{"serve", "--webhook-lease", "1s"}, 2, "refbridge serve"},
		{[]string{"serve", "--log-level", "loud"}, 2, "refbridge serve"},
		{[]string{"serve", "--read-cache", "soon"}, 2, "refbridge serve"},
		{[]string{"migrate"}, 2, "refbridge migrate"},
		{[]string{"migrate", "--from", "sqlite:///x.db"}, 2, "refbridge migrate"},
		{[]string{"migrate", "--from", "frob://x", "--to", "sqlite:///x.db"}, 2, "refbridge migrate"},
		{[]string{"migrate", "--nope"}, 2, "refbridge migrate"},
		{[]string{"migrate", "--from", "a", "--to", "b", "extra"}, 2, "refbridge migrate"},
		{[]string{"admin"}, 2, "refbridge admin"},
		{[]string{"admin", "--nope", "health"}, 2, "refbridge admin"},
		{[]string{"admin", "frobnicate"}, 2, "refbridge admin"},
		{[]string{"admin", "accounts", "frobnicate"}, 2, "refbridge admin"},
		{[]string{"admin", "accounts", "create"}, 2, "refbridge admin accounts create"},
		{[]string{"admin", "health", "extra"}, 2, "refbridge admin health"},
		{[]string{"admin", "campaigns", "create", "1", "{not json"}, 2, "refbridge admin campaigns create"},

		{[]string{"admin", "-url", closed, "health"}, 1, ""},
		{[]string{"admin", "-url", closed, "accounts", "list"}, 1, ""},
		{[]string{"admin", "-url", failing.URL, "accounts", "list"}, 1, ""},
		{[]string{"serve", "--db", db, "--addr", busy.Addr().String(), "--demo=false", "--admin-token", "t"}, 1, ""},
		{[]string{"serve", "--db", unopenable, "--addr", busy.Addr().String()}, 1, ""},
		{[]string{"migrate", "--from", "sqlite://" + unopenable, "--to", "sqlite://" + db, "--state", dir}, 1, ""},
	} {
		t.Run(strings.Join(tc.args, " "), func(t *testing.T) {
			t.Parallel()
			code, _, errOut := cli(t, tc.args...)
			if code != tc.code {
				t.Fatalf("exit %d, want %d; stderr %q", code, tc.code, errOut)
			}
			if tc.code == 2 {
				lines := strings.Split(strings.TrimSuffix(errOut, "\n"), "\n")
				if len(lines) != 2 || !strings.HasPrefix(lines[0], tc.hint+": ") || lines[1] != "Run '"+tc.hint+" --help' for usage." {
					t.Fatalf("stderr %q, want one line of %s's error and a hint to run its --help", errOut, tc.hint)
				}
			} else if !strings.HasPrefix(errOut, "refbridge: ") || strings.Contains(errOut, "--help") {
				t.Fatalf("stderr %q, want the error without a usage hint", errOut)
			}
		})
	}
}
