package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"slices"
	"strings"
	"time"
)

const adminUsageHead = `Usage: refbridge admin [-url URL] [-token TOKEN] <command> [arguments]

The server's URL defaults to REFBRIDGE_URL or http://127.0.0.1:8080, the token
to REFBRIDGE_ADMIN_TOKEN. JSON arguments may be given inline or as @file.
Answers are printed as JSON. Each command takes --help, e.g.
"refbridge admin accounts create --help".

Commands:
`

const adminUsageFlags = `
Flags (before the command):
  -url URL      server URL (REFBRIDGE_URL)
  -token TOKEN  admin token (REFBRIDGE_ADMIN_TOKEN)
`

// adminCmd is one admin command as its usage shows it.
type adminCmd struct {
	name string // e.g. "accounts create"
	args string // e.g. "ACCOUNT JSON"
	note string // lines shown beside it, if any
}

// adminCommands lists every command adminRequest understands, in the
// order the usage shows them.
var adminCommands = []adminCmd{
	{"health", "", "whether the server answers; needs no token"},
	{"ready", "", "whether the server can use its store; needs no token"},
	{"accounts list", "", ""},
	{"accounts create", "NAME", ""},
	{"accounts get", "ACCOUNT", ""},
	{"credentials list", "ACCOUNT", ""},
	{"credentials issue", "ACCOUNT VENDOR KIND [CAMPAIGN]", "kinds: api_key, api_secret, license_key, site_key"},
	{"credentials revoke", "ACCOUNT CREDENTIAL", ""},
	{"campaigns list", "ACCOUNT", ""},
	{"campaigns get", "ACCOUNT CAMPAIGN", ""},
	{"campaigns create", "ACCOUNT JSON", `a canonical Campaign, e.g. '{"Name":"Spring","Status":"active"}'`},
	{"campaigns update", "ACCOUNT CAMPAIGN JSON", "a canonical CampaignPatch"},
	{"rules list", "ACCOUNT CAMPAIGN", ""},
	{"rules create", "ACCOUNT CAMPAIGN JSON", "a canonical RewardRule"},
	{"rules update", "ACCOUNT CAMPAIGN RULE JSON", ""},
	{"rules delete", "ACCOUNT CAMPAIGN RULE", ""},
	{"webhooks list", "ACCOUNT [VENDOR]", ""},
	{"webhooks get", "ACCOUNT WEBHOOK", ""},
	{"webhooks create", "ACCOUNT JSON", `e.g. '{"Vendor":"rewardful","URL":"https://…","Events":["affiliate.created"],"Secret":"…"}';
Events are the vendor's event names; CampaignID limits it to one campaign;
Native vendor options, e.g. {"referralrocket":{"secretEncoding":"hex"}}`},
	{"webhooks update", "ACCOUNT WEBHOOK JSON", "the fields to change: URL, Events, Secret, Enabled, CampaignID, Native"},
	{"webhooks delete", "ACCOUNT WEBHOOK", ""},
	{"webhooks enable", "ACCOUNT WEBHOOK", "re-enable one turned off by failures; pending deliveries resume"},
	{"webhooks replay", "ACCOUNT WEBHOOK EVENT|SINCE", "one event ID, or every event at or after an RFC 3339 time"},
	{"webhooks deliveries", "ACCOUNT [WEBHOOK [STATE]]", "newest first; states: pending, delivered, failed"},
	{"test reset", "", "test mode only: deletes everything"},
	{"test clock", "DURATION", "test mode only: moves the clock, e.g. 36h"},
}

// adminUsage prints the usage of refbridge admin.
func adminUsage(w io.Writer) {
	fmt.Fprint(w, adminUsageHead)
	for _, c := range adminCommands {
		line := strings.TrimSpace(c.name + " " + c.args)
		if c.note == "" {
			fmt.Fprintf(w, "  %s\n", line)
			continue
		}
		note := strings.ReplaceAll("("+c.note+")", "\n", "\n"+strings.Repeat(" ", 54))
		fmt.Fprintf(w, "  %-51s %s\n", line, note)
	}
	fmt.Fprint(w, adminUsageFlags)
}

// usage prints the usage of one admin command.
func (c adminCmd) usage(w io.Writer) {
	fmt.Fprintf(w, "Usage: refbridge admin [-url URL] [-token TOKEN] %s\n", strings.TrimSpace(c.name+" "+c.args))
	if c.note != "" {
		fmt.Fprintf(w, "\n%s\n", c.note)
	}
	fmt.Fprint(w, "\nThe server's URL defaults to REFBRIDGE_URL or http://127.0.0.1:8080, the token\nto REFBRIDGE_ADMIN_TOKEN. Run \"refbridge admin --help\" for every command.\n")
}

// findAdminCommand returns the command args start with.
func findAdminCommand(args []string) (adminCmd, bool) {
	for _, c := range adminCommands {
		n := len(strings.Fields(c.name))
		if len(args) >= n && strings.Join(args[:n], " ") == c.name {
			return c, true
		}
	}
	return adminCmd{}, false
}

// adminCommand runs one admin API call from the shell. A command line that
// names no call, or a call's wrong arguments, is a usage error; an
// unreachable server or an answer of 300 or more is not.
func adminCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("admin", flag.ContinueOnError)
	url := fs.String("url", env("REFBRIDGE_URL", "http://127.0.0.1:8080"), "server URL (REFBRIDGE_URL)")
	token := fs.String("token", env("REFBRIDGE_ADMIN_TOKEN", ""), "admin token (REFBRIDGE_ADMIN_TOKEN)")
	fs.SetOutput(io.Discard)
	if err := fs.Parse(args); errors.Is(err, flag.ErrHelp) {
		adminUsage(stdout)
		return nil
	} else if err != nil {
		return &usageError{cmd: "admin", err: err}
	}
	args = fs.Args()
	if len(args) == 0 {
		return usageErrorf("admin", "no admin command given")
	}
	if args[0] == "help" {
		if c, ok := findAdminCommand(args[1:]); ok {
			c.usage(stdout)
		} else {
			adminUsage(stdout)
		}
		return nil
	}
	cmd, ok := findAdminCommand(args)
	if !ok {
		name := args[0]
		if len(args) > 1 && !isHelpFlag(args[1]) {
			name += " " + args[1]
		}
		if isHelpFlag(args[len(args)-1]) {
			adminUsage(stdout)
			return nil
		}
		return usageErrorf("admin", "unknown admin command %q", name)
	}
	if slices.ContainsFunc(args, isHelpFlag) {
		cmd.usage(stdout)
		return nil
	}
	method, path, body, err := adminRequest(args)
	if err != nil {
		msg := strings.TrimPrefix(err.Error(), cmd.name+": ")
		return usageErrorf("admin "+cmd.name, "%s", msg)
	}
	c := &adminClient{base: strings.TrimSuffix(*url, "/"), token: *token, http: &http.Client{Timeout: 30 * time.Second}}
	return c.do(ctx, method, path, body, stdout)
}

// adminRequest turns a command line into an admin API call.
func adminRequest(args []string) (method, path string, body []byte, err error) {
	if len(args) == 0 || args[0] == "help" {
		return "", "", nil, fmt.Errorf("no admin command given")
	}
	want := func(n int) error {
		if len(args) != n {
			return fmt.Errorf("%s: want %d arguments, got %d", strings.Join(args[:min(2, len(args))], " "), n-2, len(args)-2)
		}
		return nil
	}
	obj := func(s string) ([]byte, error) {
		if name, ok := strings.CutPrefix(s, "@"); ok {
			b, err := os.ReadFile(name)
			if err != nil {
				return nil, err
			}
			s = string(b)
		}
		if !json.Valid([]byte(s)) {
			return nil, fmt.Errorf("not valid JSON: %s", s)
		}
		return []byte(s), nil
	}
	mustJSON := func(v any) []byte { b, _ := json.Marshal(v); return b }
	cmd := args[0]
	if len(args) > 1 {
		cmd += " " + args[1]
	}
	switch cmd {
	case "health", "ready":
		return http.MethodGet, "/" + args[0], nil, want(1)
	case "accounts list":
		return http.MethodGet, "/accounts", nil, want(2)
	case "accounts create":
		return http.MethodPost, "/accounts", mustJSON(map[string]string{"Name": at(args, 2)}), want(3)
	case "accounts get":
		return http.MethodGet, "/accounts/" + at(args, 2), nil, want(3)
	case "credentials list":
		return http.MethodGet, "/accounts/" + at(args, 2) + "/credentials", nil, want(3)
	case "credentials issue":
		if len(args) != 5 && len(args) != 6 {
			return "", "", nil, fmt.Errorf("credentials issue: want ACCOUNT VENDOR KIND [CAMPAIGN]")
		}
		return http.MethodPost, "/accounts/" + args[2] + "/credentials",
			mustJSON(map[string]string{"Vendor": args[3], "Kind": args[4], "CampaignID": at(args, 5)}), nil
	case "credentials revoke":
		return http.MethodDelete, "/accounts/" + at(args, 2) + "/credentials/" + at(args, 3), nil, want(4)
	case "campaigns list":
		return http.MethodGet, "/accounts/" + at(args, 2) + "/campaigns", nil, want(3)
	case "campaigns get":
		return http.MethodGet, "/accounts/" + at(args, 2) + "/campaigns/" + at(args, 3), nil, want(4)
	case "campaigns create":
		if err := want(4); err != nil {
			return "", "", nil, err
		}
		body, err := obj(args[3])
		return http.MethodPost, "/accounts/" + args[2] + "/campaigns", body, err
	case "campaigns update":
		if err := want(5); err != nil {
			return "", "", nil, err
		}
		body, err := obj(args[4])
		return http.MethodPatch, "/accounts/" + args[2] + "/campaigns/" + args[3], body, err
	case "rules list":
		return http.MethodGet, "/accounts/" + at(args, 2) + "/campaigns/" + at(args, 3) + "/rules", nil, want(4)
	case "rules create":
		if err := want(5); err != nil {
			return "", "", nil, err
		}
		body, err := obj(args[4])
		return http.MethodPost, "/accounts/" + args[2] + "/campaigns/" + args[3] + "/rules", body, err
	case "rules update":
		if err := want(6); err != nil {
			return "", "", nil, err
		}
		body, err := obj(args[5])
		return http.MethodPatch, "/accounts/" + args[2] + "/campaigns/" + args[3] + "/rules/" + args[4], body, err
	case "rules delete":
		return http.MethodDelete, "/accounts/" + at(args, 2) + "/campaigns/" + at(args, 3) + "/rules/" + at(args, 4), nil, want(5)
	case "webhooks list":
		if len(args) != 3 && len(args) != 4 {
			return "", "", nil, fmt.Errorf("webhooks list: want ACCOUNT [VENDOR]")
		}
		return http.MethodGet, "/accounts/" + args[2] + "/webhooks" + query("vendor", at(args, 3)), nil, nil
	case "webhooks get", "webhooks delete", "webhooks enable":
		method, suffix := map[string]string{"get": http.MethodGet, "delete": http.MethodDelete, "enable": http.MethodPost}[args[1]], ""
		if args[1] == "enable" {
			suffix = "/enable"
		}
		return method, "/accounts/" + at(args, 2) + "/webhooks/" + at(args, 3) + suffix, nil, want(4)
	case "webhooks create":
		if err := want(4); err != nil {
			return "", "", nil, err
		}
		body, err := obj(args[3])
		return http.MethodPost, "/accounts/" + args[2] + "/webhooks", body, err
	case "webhooks update":
		if err := want(5); err != nil {
			return "", "", nil, err
		}
		body, err := obj(args[4])
		return http.MethodPatch, "/accounts/" + args[2] + "/webhooks/" + args[3], body, err
	case "webhooks replay":
		if err := want(5); err != nil {
			return "", "", nil, err
		}
		sel := map[string]string{"EventID": args[4]}
		if _, err := time.Parse(time.RFC3339, args[4]); err == nil {
			sel = map[string]string{"Since": args[4]}
		}
		return http.MethodPost, "/accounts/" + args[2] + "/webhooks/" + args[3] + "/replay", mustJSON(sel), nil
	case "webhooks deliveries":
		if len(args) < 3 || len(args) > 5 {
			return "", "", nil, fmt.Errorf("webhooks deliveries: want ACCOUNT [WEBHOOK [STATE]]")
		}
		return http.MethodGet, "/accounts/" + args[2] + "/deliveries" + query("webhook", at(args, 3), "state", at(args, 4)), nil, nil
	case "test reset":
		return http.MethodPost, "/test/reset", nil, want(2)
	case "test clock":
		return http.MethodPost, "/test/clock", mustJSON(map[string]string{"Advance": at(args, 2)}), want(3)
	}
	return "", "", nil, fmt.Errorf("unknown admin command %q", cmd)
}

// query renders name, value pairs as a query string, leaving out empty
// values.
func query(pairs ...string) string {
	v := url.Values{}
	for i := 0; i+1 < len(pairs); i += 2 {
		if pairs[i+1] != "" {
			v.Set(pairs[i], pairs[i+1])
		}
	}
	if len(v) == 0 {
		return ""
	}
	return "?" + v.Encode()
}

// at returns args[i] or "".
func at(args []string, i int) string {
	if i < len(args) {
		return args[i]
	}
	return ""
}

type adminClient struct {
	base, token string
	http        *http.Client
}

// do sends one call and prints the answer; an error status is an error.
func (c *adminClient) do(ctx context.Context, method, path string, body []byte, out io.Writer) error {
	req, err := http.NewRequestWithContext(ctx, method, c.base+"/_refbridge"+path, bytes.NewReader(body))
	if err != nil {
		return err
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.token != "" {
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(resp.Body)
	if err != nil {
		return err
	}
	if len(raw) > 0 {
		var pretty bytes.Buffer
		if json.Indent(&pretty, raw, "", "  ") == nil {
			raw = append(pretty.Bytes(), '\n')
		}
		if _, err := out.Write(raw); err != nil {
			return err
		}
	}
	if resp.StatusCode >= 300 {
		return fmt.Errorf("%s %s: %s", method, path, resp.Status)
	}
	return nil
}
