package main

import (
	"context"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"time"

	"github.com/schollz/progressbar/v3"
	"golang.org/x/term"

	"github.com/refbridge/refbridge/adapters/canonical"
	"github.com/refbridge/refbridge/client"
	_ "github.com/refbridge/refbridge/client/allclients" // every scheme --from and --to accept
	"github.com/refbridge/refbridge/client/migrate"
)

const migrateUsage = `Usage: refbridge migrate --from URL --to URL [flags]

Moves a referral program between any two backends client.Open understands
(growsurf://, referralhero://, rewardful://, referralrocket://, irefer://,
sqlite:///path, postgres://…): campaigns and reward rules, participants with
who referred whom, earned rewards' statuses, sales and coupons, referrers
before the people they referred. Progress is checkpointed in --state; run
the same command again to resume, or to check that nothing is left.

Requests to GrowSurf, ReferralHero and Rewardful are paced to the vendor's
documented limits (GrowSurf: 30 per 5 s, 200 a minute, 10,000 an hour;
ReferralHero: 5,000 an hour; Rewardful: 45 per 30 s), so a large program
takes hours, not 429s. Add ?pace=off to a URL whose server does not
enforce them (your own refbridge proxy).

Flags:
`

// stringList is a repeatable flag.
type stringList []string

func (s *stringList) String() string     { return strings.Join(*s, ",") }
func (s *stringList) Set(v string) error { *s = append(*s, v); return nil }

// migrateCommand runs refbridge migrate.
func migrateCommand(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	fs := flag.NewFlagSet("migrate", flag.ContinueOnError)
	from := fs.String("from", "", "source URL (required)")
	to := fs.String("to", "", "target URL (required)")
	var campaigns stringList
	fs.Var(&campaigns, "campaign", "source campaign ID to move (repeatable; default: every campaign the source lists)")
	toCampaign := fs.String("to-campaign", "", "existing target campaign to move the one source campaign into (for targets that cannot create campaigns)")
	dry := fs.Bool("dry-run", false, "read everything and report what would be written and lost; write nothing")
	state := fs.String("state", "refbridge-migrate", "directory for the checkpoint and ID map")
	reportPath := fs.String("report", "", "also write the report as JSON to this file")
	if err := parseFlags(fs, "migrate", args, func(w io.Writer) { fmt.Fprint(w, migrateUsage) }, stdout); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return usageErrorf("migrate", "migrate takes no arguments, got %q", fs.Args())
	}
	if *from == "" || *to == "" {
		return usageErrorf("migrate", "migrate needs --from and --to")
	}
	src, err := openEndpoint(ctx, "--from", *from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := openEndpoint(ctx, "--to", *to)
	if err != nil {
		return err
	}
	defer dst.Close()

	mapPath := ""
	if !*dry {
		mapPath = filepath.Join(*state, "idmap.jsonl")
	}
	idmap, err := migrate.OpenIDMap(mapPath)
	if err != nil {
		return fmt.Errorf("open the ID map: %w", err)
	}
	defer idmap.Close()
	if n := idmap.Len(); n > 0 {
		fmt.Fprintf(stderr, "resuming: %d entities already moved (%s)\n", n, mapPath)
	}

	prog := newProgress(stderr)
	rep, runErr := migrate.Run(ctx, src, dst, migrate.Options{
		Campaigns:      campaigns,
		TargetCampaign: *toCampaign,
		DryRun:         *dry,
		IDMap:          idmap,
		Progress:       prog.update,
	})
	prog.finish()
	if err := rep.WriteText(stdout); err != nil {
		return err
	}
	if *reportPath != "" {
		b, err := json.MarshalIndent(rep, "", "  ")
		if err != nil {
			return err
		}
		if err := os.WriteFile(*reportPath, append(b, '\n'), 0o644); err != nil {
			return err
		}
	}
	if runErr != nil {
		if ctx.Err() != nil {
			return fmt.Errorf("stopped; run the same command again to resume: %w", runErr)
		}
		return runErr
	}
	return nil
}

// openEndpoint opens a --from or --to URL. A URL client.Open rejects as
// invalid (not a URL, an unknown scheme, a missing key) is a usage error;
// one it could not reach or open is not.
func openEndpoint(ctx context.Context, flagName, rawURL string) (*client.Client, error) {
	c, err := client.Open(ctx, rawURL)
	if err == nil {
		return c, nil
	}
	err = fmt.Errorf("%s: %w", flagName, err)
	if canonical.IsCode(err, canonical.Invalid) {
		return nil, &usageError{cmd: "migrate", err: err}
	}
	return nil, err
}

// progress shows the run's progress: a bar per entity on a terminal,
// a line every few seconds otherwise.
type progress struct {
	w      io.Writer
	tty    bool
	bar    *progressbar.ProgressBar
	entity string
	last   time.Time
}

func newProgress(w io.Writer) *progress {
	p := &progress{w: w}
	if f, ok := w.(*os.File); ok && term.IsTerminal(int(f.Fd())) {
		p.tty = true
	}
	return p
}

func (p *progress) update(ev migrate.Progress) {
	if !p.tty {
		if ev.Entity != p.entity || time.Since(p.last) >= 5*time.Second || ev.Done == ev.Total {
			fmt.Fprintf(p.w, "%s: %d/%d\n", ev.Entity, ev.Done, ev.Total)
			p.entity, p.last = ev.Entity, time.Now()
		}
		return
	}
	if ev.Entity != p.entity || p.bar == nil {
		if p.bar != nil {
			_ = p.bar.Finish()
		}
		p.bar = progressbar.NewOptions(ev.Total,
			progressbar.OptionSetWriter(p.w),
			progressbar.OptionSetDescription(ev.Entity),
			progressbar.OptionShowCount(),
			progressbar.OptionShowIts(),
			progressbar.OptionSetItsString("records"),
			progressbar.OptionThrottle(100*time.Millisecond),
			progressbar.OptionOnCompletion(func() { fmt.Fprintln(p.w) }),
		)
		p.entity = ev.Entity
	}
	_ = p.bar.Set(ev.Done)
}

func (p *progress) finish() {
	if p.bar != nil {
		_ = p.bar.Finish()
	}
}
