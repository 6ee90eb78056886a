package main

import (
	"context"
	"crypto/rand"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/refbridge/refbridge/adapters/all"
	"github.com/refbridge/refbridge/adapters/surface"
	"github.com/refbridge/refbridge/proxy"
	"github.com/refbridge/refbridge/proxy/deliver"
	"github.com/refbridge/refbridge/proxy/engine"
	"github.com/refbridge/refbridge/proxy/metrics"
	"github.com/refbridge/refbridge/proxy/store"
	"github.com/refbridge/refbridge/proxy/store/postgres"
	"github.com/refbridge/refbridge/proxy/store/sqlite"
)

// serveConfig is serve's flags, each with an environment variable.
type serveConfig struct {
	addr          string
	db            string
	adminToken    string
	testMode      bool
	logLevel      string
	logFormat     string
	origins       string
	enforceLimits bool
	demo          bool
	readCache     string
	// workers is how many webhook deliveries run at once (0: none);
	// allowPrivate lets them, and GrowSurf's testWebhook, reach internal
	// addresses.
	workers      int
	allowPrivate bool
	// lease is how long a claimed delivery is withheld from other
	// workers and replicas.
	lease time.Duration
	// metricsPublic serves /_refbridge/metrics without the admin token.
	metricsPublic bool
}

// minLease is the shortest --webhook-lease: a worker's attempts get at
// most half the lease and its record a quarter, and below 5s that is too
// little for an endpoint across the internet (2.5s) or a commit under load
// (1.25s): attempts would time out, or records land after the lease,
// when another worker may send the deliveries again.
const minLease = 5 * time.Second

const serveUsage = `Usage: refbridge serve [flags]

Serves every vendor surface (Referral Rocket, GrowSurf, ReferralHero,
Rewardful, iRefer) and the admin API under /_refbridge/ over the native
engine, on a SQLite file or PostgreSQL, until SIGINT or SIGTERM. Every flag
has an environment variable, named in its description; a flag given on the
command line wins.

Flags:
`

// parseServe parses serve's command line; -h prints the usage to stdout
// and returns flag.ErrHelp, and a bad flag or value is a *usageError.
func parseServe(args []string, stdout io.Writer) (serveConfig, error) {
	var c serveConfig
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.StringVar(&c.addr, "addr", env("REFBRIDGE_ADDR", "127.0.0.1:8080"), "listen address (REFBRIDGE_ADDR)")
	fs.StringVar(&c.db, "db", env("REFBRIDGE_DB", "refbridge.db"),
		"database: a SQLite file path, or postgres://… for PostgreSQL (REFBRIDGE_DB)")
	fs.StringVar(&c.adminToken, "admin-token", env("REFBRIDGE_ADMIN_TOKEN", ""),
		"admin API token; generated and printed when empty (REFBRIDGE_ADMIN_TOKEN)")
	fs.BoolVar(&c.testMode, "test-mode", envBool("REFBRIDGE_TEST_MODE"),
		"enable the admin API's reset and clock endpoints; never in production (REFBRIDGE_TEST_MODE)")
	fs.StringVar(&c.logLevel, "log-level", env("REFBRIDGE_LOG_LEVEL", "info"),
		"debug (one line per request), info, warn or error (REFBRIDGE_LOG_LEVEL)")
	fs.StringVar(&c.logFormat, "log-format", env("REFBRIDGE_LOG_FORMAT", "text"), "text or json (REFBRIDGE_LOG_FORMAT)")
	fs.StringVar(&c.origins, "allowed-origins", env("REFBRIDGE_ALLOWED_ORIGINS", ""),
		"comma-separated browser origins allowed on every surface, or * (REFBRIDGE_ALLOWED_ORIGINS)")
	fs.BoolVar(&c.enforceLimits, "enforce-limits", envBool("REFBRIDGE_ENFORCE_LIMITS"),
		"answer 429 past each vendor's documented rate limits (REFBRIDGE_ENFORCE_LIMITS)")
	fs.StringVar(&c.readCache, "read-cache", env("REFBRIDGE_READ_CACHE", ""),
		"how long hot reads may be answered from memory while the account is unchanged; default 1s on SQLite, off on PostgreSQL, where other replicas' writes are invisible to it (REFBRIDGE_READ_CACHE)")
	fs.IntVar(&c.workers, "webhook-workers", envInt("REFBRIDGE_WEBHOOK_WORKERS", deliver.DefaultWorkers),
		"webhook deliveries attempted at once; 0 delivers none from this process (REFBRIDGE_WEBHOOK_WORKERS)")
	fs.BoolVar(&c.allowPrivate, "webhooks-allow-private", envBool("REFBRIDGE_WEBHOOKS_ALLOW_PRIVATE"),
		"let webhook deliveries reach loopback, private and link-local addresses; local development only (REFBRIDGE_WEBHOOKS_ALLOW_PRIVATE)")
	fs.DurationVar(&c.lease, "webhook-lease", envDuration("REFBRIDGE_WEBHOOK_LEASE", deliver.DefaultLease),
		"how long a claimed webhook delivery is this worker's before another worker or replica may attempt it again; a worker records its attempts within the lease: each times out within half of it, and the last quarter is kept for the commit that records them. At least 5s, so that attempts get a useful timeout and the commit a second or more under load (REFBRIDGE_WEBHOOK_LEASE)")
	fs.BoolVar(&c.metricsPublic, "metrics-public", envBool("REFBRIDGE_METRICS_PUBLIC"),
		"serve the Prometheus metrics at /_refbridge/metrics without the admin token (REFBRIDGE_METRICS_PUBLIC)")
	fs.BoolVar(&c.demo, "demo", env("REFBRIDGE_DEMO", "true") != "false",
		"create a demo account on an empty database (REFBRIDGE_DEMO)")
	if err := parseFlags(fs, "serve", args, func(w io.Writer) { fmt.Fprint(w, serveUsage) }, stdout); err != nil {
		return c, err
	}
	if fs.NArg() > 0 {
		return c, usageErrorf("serve", "serve takes no arguments, got %q", fs.Args())
	}
	if c.workers < 0 {
		return c, usageErrorf("serve", "--webhook-workers %d: want 0 or more", c.workers)
	}
	if c.lease < minLease {
		return c, usageErrorf("serve", "--webhook-lease %s: want at least %s", c.lease, minLease)
	}
	if _, err := newLogger(io.Discard, c.logLevel, c.logFormat); err != nil {
		return c, &usageError{cmd: "serve", err: err}
	}
	if _, err := readCacheTTL(c.readCache, ""); err != nil {
		return c, &usageError{cmd: "serve", err: err}
	}
	return c, nil
}

func envBool(name string) bool {
	v, _ := strconv.ParseBool(os.Getenv(name))
	return v
}

// envDuration is a duration environment variable, or def when unset or
// not a duration.
func envDuration(name string, def time.Duration) time.Duration {
	if v, err := time.ParseDuration(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

// envInt is an integer environment variable, or def when unset or not
// an integer.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil {
		return v
	}
	return def
}

// serve runs the proxy until ctx is cancelled, then shuts down gracefully.
func serve(ctx context.Context, args []string, stdout, stderr io.Writer) error {
	cfg, err := parseServe(args, stdout)
	if err != nil {
		return err
	}
	log, err := newLogger(stderr, cfg.logLevel, cfg.logFormat)
	if err != nil {
		return err
	}
	// The store reports damaged records it reads to slog's default logger.
	slog.SetDefault(log)
	st, kind, err := openStore(ctx, cfg.db)
	if err != nil {
		return err
	}
	defer st.Close()
	met := metrics.New()
	if o, ok := st.(store.Observable); ok {
		o.Observe(met.Store())
	}

	readTTL, err := readCacheTTL(cfg.readCache, kind)
	if err != nil {
		return err
	}
	clock := &offsetClock{}
	eng, err := engine.Open(ctx, st, &engine.Options{Clock: clock.Now})
	if err != nil {
		return err
	}

	if cfg.adminToken == "" {
		cfg.adminToken = randomToken()
		fmt.Fprintf(stdout, "admin token (generated; set REFBRIDGE_ADMIN_TOKEN to choose one): %s\n", cfg.adminToken)
	}
	admin := &proxy.AdminOptions{
		MetricsPublic: cfg.metricsPublic,
		Token:         cfg.adminToken,
		Accounts:      eng,
		Ready: func(ctx context.Context) error {
			_, err := eng.Accounts(ctx)
			return err
		},
	}
	surfaces := all.Surfaces()
	var outbound *http.Client
	if cfg.allowPrivate {
		outbound = surface.OpenClient()
		log.Warn("webhooks may reach loopback, private and link-local addresses (--webhooks-allow-private); local development only")
	}
	pool := deliver.New(eng, deliver.Options{
		Observer:     met.Webhooks(),
		Workers:      cfg.workers,
		Lease:        cfg.lease,
		Surfaces:     surfaces,
		Config:       surface.Config{Logger: log, Now: clock.Now, IDSecret: eng.IDSecret()},
		AllowPrivate: cfg.allowPrivate,
	})
	if cfg.testMode {
		advance := func(d time.Duration) time.Time {
			t := clock.Advance(d)
			// Deliveries that fell due on the moved clock go out now.
			// (So do those whose attempts are in flight, when the move
			// passes their leases: at least once still holds.)
			pool.Wake()
			return t
		}
		admin.Test = &proxy.TestHooks{Reset: eng.Reset, Advance: advance}
		log.Warn("test mode: the admin API can wipe all data and move the clock")
	}
	var origins []string
	for _, o := range strings.Split(cfg.origins, ",") {
		if o = strings.TrimSpace(o); o != "" {
			origins = append(origins, o)
		}
	}
	handler := proxy.New(eng, surfaces, &proxy.Options{
		Outbound:       outbound,
		Logger:         log,
		Now:            clock.Now,
		AllowedOrigins: origins,
		EnforceLimits:  cfg.enforceLimits,
		ReadCacheTTL:   readTTL,
		IDSecret:       eng.IDSecret(),
		Admin:          admin,
		Metrics:        met,
	})
	if eng.IDSecret() == nil {
		log.Warn("this database handed out IDs before installations had their own ID secret: it keeps rendering them with the fixed keys in refbridge's source, which anyone can decode")
	}

	ln, err := net.Listen("tcp", cfg.addr)
	if err != nil {
		return err
	}
	base := "http://" + ln.Addr().String()
	if cfg.demo {
		if err := ensureDemo(ctx, eng, base, stdout); err != nil {
			ln.Close()
			return fmt.Errorf("demo account: %w", err)
		}
	}
	srv := &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       30 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       2 * time.Minute,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	log.Info("refbridge serving", "addr", ln.Addr().String(), "store", kind, "db", redact(cfg.db), "read_cache", readTTL)
	fmt.Fprintf(stdout, "refbridge listening on %s\n", base)

	// The workers stop after the server: requests still being answered
	// may queue deliveries, and attempts in flight get Drain to finish
	// (the rest are attempted again when their leases end).
	workers, stopWorkers := context.WithCancel(context.WithoutCancel(ctx))
	defer stopWorkers()
	poolDone := make(chan struct{})
	go func() {
		defer close(poolDone)
		if cfg.workers > 0 {
			pool.Run(workers)
		}
	}()
	defer func() {
		stopWorkers()
		<-poolDone
	}()

	errc := make(chan error, 1)
	go func() { errc <- srv.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	log.Info("shutting down")
	shutdown, cancel := context.WithTimeout(context.Background(), 15*time.Second)
	defer cancel()
	if err := srv.Shutdown(shutdown); err != nil {
		return fmt.Errorf("shutdown: %w", err)
	}
	if err := <-errc; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	stopWorkers()
	<-poolDone
	log.Info("stopped")
	return nil
}

// readCacheTTL parses --read-cache; empty means 1s on SQLite (one process
// owns the file, so every write invalidates) and off on PostgreSQL.
func readCacheTTL(v, kind string) (time.Duration, error) {
	if v == "" {
		if kind == "sqlite" {
			return time.Second, nil
		}
		return 0, nil
	}
	d, err := time.ParseDuration(v)
	if err != nil || d < 0 {
		return 0, fmt.Errorf("--read-cache %q: want a duration such as 1s, or 0 for off", v)
	}
	return d, nil
}

// redact hides a password in a database URL for logs.
func redact(db string) string {
	if u, err := url.Parse(db); err == nil && u.User != nil {
		if _, ok := u.User.Password(); ok {
			u.User = url.UserPassword(u.User.Username(), "xxxxx")
			return u.String()
		}
	}
	return db
}

// openStore opens PostgreSQL for a postgres:// URL and SQLite otherwise.
func openStore(ctx context.Context, db string) (store.Store, string, error) {
	if strings.HasPrefix(db, "postgres://") || strings.HasPrefix(db, "postgresql://") {
		st, err := postgres.Open(ctx, db)
		if err != nil {
			return nil, "", fmt.Errorf("open PostgreSQL: %w", err)
		}
		return st, "postgres", nil
	}
	path := strings.TrimPrefix(db, "sqlite://")
	if dir := filepath.Dir(path); dir != "." {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return nil, "", err
		}
	}
	st, err := sqlite.Open(ctx, path, nil)
	if err != nil {
		return nil, "", fmt.Errorf("open SQLite %s: %w", path, err)
	}
	return st, "sqlite", nil
}

func newLogger(w io.Writer, level, format string) (*slog.Logger, error) {
	var lv slog.Level
	if err := lv.UnmarshalText([]byte(level)); err != nil {
		return nil, fmt.Errorf("log level %q: want debug, info, warn or error", level)
	}
	opts := &slog.HandlerOptions{Level: lv}
	switch format {
	case "text":
		return slog.New(slog.NewTextHandler(w, opts)), nil
	case "json":
		return slog.New(slog.NewJSONHandler(w, opts)), nil
	}
	return nil, fmt.Errorf("log format %q: want text or json", format)
}

// randomToken returns 32 random letters and digits.
func randomToken() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789"
	b := make([]byte, 32)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return string(b)
}

// offsetClock is the wall clock plus an offset that test mode can move
// forward.
type offsetClock struct {
	offset atomic.Int64
}

// Now returns the current time plus the offset.
func (c *offsetClock) Now() time.Time {
	return time.Now().Add(time.Duration(c.offset.Load()))
}

// Advance adds d to the offset and returns the new time.
func (c *offsetClock) Advance(d time.Duration) time.Time {
	c.offset.Add(int64(d))
	return c.Now()
}
